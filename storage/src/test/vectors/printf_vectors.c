/*
 * Generates the expected values in src/test/resources/io/kvorum/storage/number/ with the real C
 * library (run on x86-64 Linux with glibc, where long double is the x87 80-bit format):
 *
 *   python3 make_inputs.py            # writes in.txt (a|b pairs) and gin.txt (double bits)
 *   gcc -O0 -o printf_vectors printf_vectors.c -lm
 *   ./printf_vectors < in.txt | awk -F'|' 'length($3) <= 200 || (big++ < 15)' \
 *       > incrbyfloat-vectors.txt
 *   ./printf_vectors g < gin.txt > g17-vectors.txt
 *
 * (the committed files carry a three-line '#' header on top).
 *
 * string2ld and the human-friendly ld2string below are Redis 7.0's (util.c), so each line is what
 * "SET k a; INCRBYFLOAT k b" answers.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int string2ld(const char *s, size_t slen, long double *dp) {
    char buf[5 * 1024];
    long double value;
    char *eptr;
    if (slen == 0 || slen >= sizeof(buf)) return 0;
    memcpy(buf, s, slen);
    buf[slen] = '\0';
    errno = 0;
    value = strtold(buf, &eptr);
    if (isspace(buf[0]) || eptr[0] != '\0' || (size_t)(eptr - buf) != slen ||
        (errno == ERANGE &&
         (value == HUGE_VAL || value == -HUGE_VAL || fpclassify(value) == FP_ZERO)) ||
        errno == EINVAL || isnan(value))
        return 0;
    if (dp) *dp = value;
    return 1;
}

static void human(char *buf, size_t len, long double value) {
    size_t l = snprintf(buf, len, "%.17Lf", value);
    if (strchr(buf, '.') != NULL) {
        char *p = buf + l - 1;
        while (*p == '0') { p--; l--; }
        if (*p == '.') l--;
    }
    if (l == 2 && buf[0] == '-' && buf[1] == '0') { buf[0] = '0'; l = 1; }
    buf[l] = 0;
}

int main(int argc, char **argv) {
    static char line[20000], out[6000];
    if (argc > 1 && !strcmp(argv[1], "g")) {
        while (fgets(line, sizeof line, stdin)) {
            unsigned long long bits = strtoull(line, NULL, 16);
            double d;
            memcpy(&d, &bits, 8);
            printf("%016llx|%.17g\n", bits, d);
        }
        return 0;
    }
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n') line[--n] = 0;
        char *bar = strchr(line, '|');
        *bar = 0;
        char *a = line, *b = bar + 1;
        long double va, vb;
        const char *res;
        if (!string2ld(a, strlen(a), &va) || !string2ld(b, strlen(b), &vb)) {
            res = "!float";
        } else {
            long double v = va + vb;
            if (isnan(v) || isinf(v)) {
                res = "!naninf";
            } else {
                human(out, sizeof out, v);
                res = out;
            }
        }
        printf("%s|%s|%s\n", a, b, res);
    }
    return 0;
}
