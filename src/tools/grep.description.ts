export const GREP_DESCRIPTION = `Searches file contents with regular expressions (ripgrep).

Usage:
- Always use Grep for content search; do not run grep or rg through Bash.
- pattern is a regular expression in ripgrep syntax ("log.*Error", "function\\s+\\w+"). Braces and other special characters need escaping to match literally: use "interface\\{\\}" to find "interface{}" in Go code.
- Narrow the files with glob (for example "*.js" or "**/*.{ts,tsx}") or type (for example "js", "py", "rust"); path is a file or directory to search (absolute, or relative to the workspace), by default the workspace root.
- output_mode: "files_with_matches" (the default) lists the files that match, most recently modified first; "content" shows the matching lines (with -A/-B/-C context lines and -n line numbers, on by default); "count" shows the number of matching lines per file.
- -i makes the search case-insensitive. head_limit keeps only the first N lines or entries of the output.
- Patterns match within one line; set multiline to true to let a pattern span lines (and "." match newlines), for example "struct \\{[\\s\\S]*?field".
- Hidden files are searched; .git, node_modules, binary files and symlinks are skipped.
- For an open-ended search that needs several rounds, delegate it with the Task tool.`;
