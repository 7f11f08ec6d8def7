/** Where a command writes: the terminal by default, arrays in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const terminalIo: CliIo = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};
