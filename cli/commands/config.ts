import type { Command } from 'commander';
import type { LifeguardConfig } from '../../lib/config/schema.ts';
import type { CliContext } from '../context.ts';

/** `lifeguard config validate [FILE]`: 0 valid, 1 invalid, 2 no file to validate. */
export function registerConfig(program: Command, ctx: CliContext): Command {
  const config = program
    .command('config')
    .summary('check a Lifeguard configuration file')
    .description('Commands on the configuration file (lifeguard.config.yaml or $LIFEGUARD_CONFIG).');
  config
    .command('validate')
    .summary('validate a configuration file, as package and deploy will')
    .description(
      'Validates a configuration file exactly as `npm run package` and `npm run deploy` do, and prints ' +
        'every problem as `path: what is wrong (got …)`. Without FILE: $LIFEGUARD_CONFIG, else ' +
        'lifeguard.config.yaml. Exit codes: 0 valid, 1 invalid, 2 no file to validate.',
    )
    .argument('[file]', 'configuration file (YAML, or JSON when it ends in .json)')
    .option('-q, --quiet', 'print nothing when the file is valid')
    .addHelpText(
      'after',
      `
Examples:
  $ lifeguard config validate
  $ lifeguard config validate lifeguard.config.example.yaml
  $ LIFEGUARD_CONFIG=prod.yaml lifeguard config validate --quiet && npm run deploy`,
    )
    .action(async (file: string | undefined, options: { quiet?: boolean }) => {
      // Loaded on use: the schemas are the slow part of starting the command.
      const { ConfigError } = await import('../../lib/config/load.ts');
      const { loadConfigFile } = await import('../../lib/config/file.ts');
      const { configFilePath, NO_CONFIG_MESSAGE } = await import('../../deploy/load-config.ts');
      const path = file ?? configFilePath(ctx.env);
      if (!path) {
        ctx.err(`lifeguard config validate: ${NO_CONFIG_MESSAGE}`);
        return ctx.exit(2);
      }
      try {
        const loaded = loadConfigFile(path);
        if (!options.quiet) ctx.out(`${path}: valid\n${describe(loaded)}`);
        // Valid, but an unedited copy of the example: said here, refused by package and deploy.
        const { placeholdersIn, ALLOW_PLACEHOLDERS_FLAG } = await import('../../deploy/placeholders.ts');
        const placeholders = placeholdersIn(loaded);
        if (placeholders.length && !options.quiet) {
          const fields = placeholders.map((p) => p.path);
          ctx.err(
            `warning: ${path} still has ${fields.length} of the example's placeholder values (${fields.slice(0, 4).join(', ')}${fields.length > 4 ? ', …' : ''}): ` +
              `package and deploy refuse them without ${ALLOW_PLACEHOLDERS_FLAG}`,
          );
        }
        ctx.exit(0);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        ctx.err(`lifeguard config validate: ${err.message}`);
        ctx.exit(err.message.startsWith('cannot read') ? 2 : 1);
      }
    });
  return config;
}

/** What the file will deploy, so a valid-but-wrong file is noticed before it ships. */
function describe(config: LifeguardConfig): string {
  const list = (names: string[]) => (names.length ? names.join(', ') : 'none');
  const lines = [
    `  region: ${config.region}`,
    `  EKS clusters protected from interruptions: ${list(config.eks.map((c) => c.name))}`,
    `  EMR clusters under disaster recovery: ${list(config.dr.clusters.map((c) => `${c.name} (${c.clusterId})`))}`,
  ];
  const n = config.notifications;
  const routes = n
    ? [n.sns && `SNS (${n.sns.topicArn ?? `a new topic, ${n.sns.emails.length} email subscription(s)`})`, n.webhook && `a ${n.webhook.format} webhook`].filter(Boolean).join(' and ')
    : '';
  lines.push(`  notifications: ${n ? `${n.events.join(', ')} → ${routes}` : 'none'}`);
  return lines.join('\n');
}
