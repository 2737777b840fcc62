#ifndef EVICTOR_PLATFORM_H
#define EVICTOR_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/// Platform calls behind one small C API, so Swift imports no Glibc or Darwin for them and
/// never walks `struct dirent` or `glob_t` pointers itself. Each returns a buffer from malloc
/// (the caller frees it with `free`) holding `*count` NUL-terminated strings back to back, or
/// NULL when nothing could be read.

/// The names in directory `path`, in the order the system lists them, without `.`, `..` and
/// other names starting with a dot.
char *evictor_list_directory(const char *path, size_t *count, size_t *length);

/// The paths matching the shell pattern `pattern` (`*`, `?`, `[...]`), sorted, without a shell.
char *evictor_glob(const char *pattern, size_t *count, size_t *length);

/// The whole of file `path` when it is at most `limit` bytes: a malloc'd buffer of `*length`
/// bytes (NULL for an empty file with `*length` 0), or NULL with `*length` set to SIZE_MAX
/// when it cannot be read or is larger.
uint8_t *evictor_read_file(const char *path, size_t limit, size_t *length);

#endif
