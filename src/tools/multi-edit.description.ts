export const MULTI_EDIT_DESCRIPTION = `Makes several exact-text replacements in one file, all or nothing.

Usage:
- Each entry of edits works like one Edit call (old_string, new_string, optional replace_all); read the file first and copy the text exactly, without Read's line-number prefix.
- Edits are applied in order, each to the result of the ones before it: make sure an earlier edit does not change the text a later one looks for.
- The file is written only if every edit succeeds. If one fails, the error names it (edits[i]) and the file is left unchanged, so you can fix that edit and send them all again.
- To create a new file, give a file_path that does not exist and make the first edit's old_string empty: its new_string becomes the content, and the following edits apply to it.`;
