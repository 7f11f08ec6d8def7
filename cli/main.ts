#!/usr/bin/env node
/** The `lifeguard` command: one module per subcommand under cli/commands/. */
const commands: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  simulate: {
    summary: 'simulate SCENARIO [--json]       run a scenario file in the embedded sandbox',
    load: () => import('./commands/simulate.ts'),
  },
  handle: {
    summary: 'handle EVENT_FILE [--dry-run] [--kubeconfig PATH]   run one event against your cluster',
    load: () => import('./commands/handle.ts'),
  },
  drill: {
    summary: 'drill --cluster NAME [--dry-run] [--json]   start a DR drill and follow it',
    load: () => import('./commands/drill.ts'),
  },
};

function usage(): string {
  return ['usage: lifeguard <command> [options]', '', 'commands:', ...Object.values(commands).map((c) => `  ${c.summary}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`lifeguard: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return (await command.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`lifeguard: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
