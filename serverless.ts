const config = {
  service: 'lifeguard',
  frameworkVersion: '4',
  plugins: ['serverless-esbuild', 'serverless-step-functions'],
  provider: { name: 'aws', runtime: 'nodejs22.x', region: 'us-east-1' },
  custom: { esbuild: { bundle: true, minify: true, format: 'esm', platform: 'node', target: 'node22', outExtension: { '.js': '.mjs' }, mainFields: ['module', 'main'], banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" }, exclude: [] } },
  functions: { hello: { handler: 'functions/hello.handler' } },
};
export default config;
