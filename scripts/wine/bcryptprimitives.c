/*
 * bcryptprimitives.dll for Wine 8: Rust's standard library (1.78 and newer)
 * imports ProcessPrng from it, which Wine 8 (Debian 12's wine64) lacks, so no
 * Rust program starts there. ProcessPrng fills a buffer with random bytes and
 * cannot fail; RtlGenRandom (advapi32's SystemFunction036) does the same in
 * chunks of at most 4 GiB. Built and installed into the Wine prefix by
 * scripts/with-wine; never shipped.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
