/*
 * Temporary: x86 handlers named in x86_opcodes.def that nobody implements
 * yet. Each raises #UD (and says so under -d unimp) so the tree links and
 * a guest using one sees a clean fault. Whoever implements a handler
 * deletes its line here.
 */
#include "cpu/x86/x86_translate.h"

static void todo_ud(DisasX86 *s, X86Insn *in, const char *what)
{
    log_printf(s->base.cpu->log, LOG_unimp, "x86: %s (%s) at %#llx not implemented: #UD\n",
               in->info ? in->info->mnemonic : "?", what, (unsigned long long)s->eip);
    x86_gen_exception(s, X86_EXCP_UD, -1);
}

#define TODO(name) void name(DisasX86 *s, X86Insn *in) { todo_ud(s, in, #name); }

/* the other x86 helper: arithmetic, bits, strings */

/* system issue: descriptors, control registers, MSRs, x87/SSE */
