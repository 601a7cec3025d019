export const EDIT_DESCRIPTION = `Replaces exact text in a file.

Usage:
- Read the file first, then copy the text to replace exactly as it appears in the file, with its indentation. Read's output starts each line with a line number and a tab: that prefix is not part of the file, never include it in old_string.
- The edit fails if old_string is not found, or if it occurs more than once: then either add surrounding lines to old_string so it matches exactly once, or set replace_all to true to change every occurrence (useful for renaming a variable).
- old_string and new_string must differ.
- With an empty old_string and a file that does not exist yet, the file is created with new_string as its content.
- The file is written atomically; on any failure it is left unchanged.
- To make several changes to one file, use MultiEdit.`;
