#include <hiredis/hiredis.h>

/* Bytes appended with redisAppendCommandArgv that are not yet written to the socket. Lets the
   Redis module tell "nothing of this pipeline reached the server" from "part of it did". */
static inline size_t chiredis_pending_output(const redisContext *c) {
    return c->obuf ? sdslen(c->obuf) : 0;
}
