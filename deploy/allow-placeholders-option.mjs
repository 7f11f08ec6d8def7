/**
 * A service plugin that only declares `--allow-placeholders` on `package` and `deploy`, so the
 * framework accepts the flag (it rejects options no plugin declares). serverless.ts acts on it
 * (deploy/load-config.ts, placeholderRefusal): it reads the configuration before plugins load.
 */
const option = { usage: "Package or deploy even with lifeguard.config.example.yaml's placeholder values", type: 'boolean' };

export default class AllowPlaceholdersOption {
  constructor() {
    this.commands = { package: { options: { 'allow-placeholders': option } }, deploy: { options: { 'allow-placeholders': option } } };
  }
}
