// The project runs on Node 24 (an LTS; Lambda's nodejs24.x). `npm ci` puts it in node_modules/.bin
// on Linux x64/arm64 and macOS x64, and npm scripts run it from there; elsewhere bring your own.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Lifeguard needs Node 24 or later; this is ${process.version} (${process.execPath}).\n` +
      `Run the command through npm (npm test, npm start, npx lifeguard) after npm ci, which installs Node 24 ` +
      `for Linux x64/arm64 and macOS x64 into node_modules/.bin; on other platforms install Node 24 first.`,
  );
  process.exit(1);
}
