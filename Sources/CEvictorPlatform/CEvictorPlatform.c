#include "CEvictorPlatform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/// A growing buffer of NUL-terminated strings.
typedef struct {
    char *bytes;
    size_t length;
    size_t capacity;
    size_t count;
    int failed;
} string_list;

static void string_list_append(string_list *list, const char *text) {
    if (list->failed) return;
    size_t size = strlen(text) + 1;
    if (list->length + size > list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 4096;
        while (capacity < list->length + size) capacity *= 2;
        char *grown = realloc(list->bytes, capacity);
        if (!grown) {
            list->failed = 1;
            return;
        }
        list->bytes = grown;
        list->capacity = capacity;
    }
    memcpy(list->bytes + list->length, text, size);
    list->length += size;
    list->count += 1;
}

static char *string_list_finish(string_list *list, size_t *count, size_t *length) {
    if (list->failed) {
        free(list->bytes);
        return NULL;
    }
    *count = list->count;
    *length = list->length;
    if (!list->bytes) return malloc(1);
    return list->bytes;
}

char *evictor_list_directory(const char *path, size_t *count, size_t *length) {
    *count = 0;
    *length = 0;
    DIR *directory = opendir(path);
    if (!directory) return NULL;
    string_list list = {0};
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        string_list_append(&list, entry->d_name);
    }
    closedir(directory);
    return string_list_finish(&list, count, length);
}

char *evictor_glob(const char *pattern, size_t *count, size_t *length) {
    *count = 0;
    *length = 0;
    glob_t result;
    memset(&result, 0, sizeof result);
    if (glob(pattern, 0, NULL, &result) != 0) {
        globfree(&result);
        return NULL;
    }
    string_list list = {0};
    for (size_t index = 0; index < result.gl_pathc; index++) string_list_append(&list, result.gl_pathv[index]);
    globfree(&result);
    return string_list_finish(&list, count, length);
}

uint8_t *evictor_read_file(const char *path, size_t limit, size_t *length) {
    *length = SIZE_MAX;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat status;
    if (fstat(fd, &status) != 0 || status.st_size < 0 || (size_t)status.st_size > limit) {
        close(fd);
        return NULL;
    }
    size_t size = (size_t)status.st_size;
    uint8_t *bytes = size ? malloc(size) : NULL;
    if (size && !bytes) {
        close(fd);
        return NULL;
    }
    size_t offset = 0;
    while (offset < size) {
        ssize_t got = read(fd, bytes + offset, size - offset);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        offset += (size_t)got;
    }
    close(fd);
    *length = offset;
    return bytes;
}
