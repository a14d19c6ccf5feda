// A fault test's progress lines, written to stderr only with FAULTS_VERBOSE=1: these tests
// run for a minute or two, and the lines say where one stood when it failed.
export const faultsVerbose = process.env.FAULTS_VERBOSE === '1';

export function progressNotes(test: string): (line: string) => void {
  return (line) => {
    if (faultsVerbose) process.stderr.write(`[${test}] ${line}\n`);
  };
}
