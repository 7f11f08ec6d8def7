/** Types of the service plugin that declares `--allow-placeholders` (allow-placeholders-option.mjs). */
interface OptionSchema {
  usage: string;
  type: 'boolean';
}

export default class AllowPlaceholdersOption {
  commands: Record<'package' | 'deploy', { options: Record<'allow-placeholders', OptionSchema> }>;
}
