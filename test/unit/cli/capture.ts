/** Collects what a command writes, for assertions. */
export function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (text: string) => void out.push(text), err: (text: string) => void err.push(text) },
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
  };
}
