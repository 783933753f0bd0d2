/* check.h - the C unit tests' one assertion: report and count, keep going. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>

/* Failed checks of this test program; main() returns non-zero when any. */
static int failures;

/* CHECK(cond, printf-format, ...): on a false cond print file, line and the message. */
#define CHECK(cond, ...)                                \
    do {                                                \
        if (!(cond)) {                                  \
            printf("FAIL %s:%d: ", __FILE__, __LINE__); \
            printf(__VA_ARGS__);                        \
            printf("\n");                               \
            failures++;                                 \
        }                                               \
    } while (0)

#endif /* CHECK_H */
