export const BASH_DESCRIPTION = `Runs a bash command in the workspace and returns its output.

Usage:
- The command runs with bash -c, in the workspace root as the working directory, with no input (stdin is closed: commands that wait for input get end-of-file). Prefer non-interactive flags (for example --yes, --no-pager).
- Each call starts a fresh shell: cd, exported variables and shell functions do not carry over to the next call. Chain steps with && in one command when they depend on each other.
- timeout is in milliseconds (default 120000, at most 600000). When it runs out the command is stopped, with every process it started, and the output so far is returned with the error.
- stdout and stderr are returned together, in the order they were written; long output is cut in the middle (the beginning and the end are kept). A non-zero exit is reported as "Exit code N".
- Background processes (cmd &) are stopped when the command finishes: do not start servers you expect to keep running.
- The command runs in an OS sandbox: only the workspace is writable (elsewhere: "Read-only file system"), except its control files (.claude/, .codex/, .codex-task/, .mcp.json, all of .git, .gitmodules, and whatever they link to), which stay read-only and are removed if the command creates them — git can read (status, diff, log, show, blame) but not add or commit; /tmp is private to the command, secret files such as ~/.ssh or credential files cannot be read ("Permission denied"), and the network is off unless permitted. These refusals are deliberate: do not try to work around them; report what you could not do.
- Quote paths that contain spaces ("path with spaces/file.txt").
- Prefer the dedicated tools for files: Read rather than cat/head/tail, Grep rather than grep/rg, Glob rather than find/ls, Edit and Write rather than sed, awk or echo redirection.
- description is a short label (5-10 words) saying what the command does, shown to people following the task.`;
