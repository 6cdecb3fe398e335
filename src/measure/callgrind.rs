//! Valgrind client requests for callgrind (valgrind.h "Client requests",
//! callgrind.h), issued with the documented amd64 magic instruction sequence.
//! We do not use the crabgrind crate: it needs bindgen and libclang at build
//! time, which this project's machines do not have. Natively the sequence is a
//! no-op (the four rotations of rdi add up to 128 bits).

use std::ffi::CStr;

const fn tool_base(a: u8, b: u8) -> u64 {
    ((a as u64) << 24) | ((b as u64) << 16)
}

// callgrind.h: enum Vg_CallgrindClientRequest.
const ZERO_STATS: u64 = tool_base(b'C', b'T') + 1;
const TOGGLE_COLLECT: u64 = tool_base(b'C', b'T') + 2;
const DUMP_STATS_AT: u64 = tool_base(b'C', b'T') + 3;
// valgrind.h: VG_USERREQ__RUNNING_ON_VALGRIND.
const RUNNING_ON_VALGRIND: u64 = 0x1001;

fn request(code: u64, arg1: u64) -> u64 {
    request2(code, arg1, 0)
}

/// A client request with two arguments (memcheck's MAKE_MEM_* take address and length).
pub(crate) fn request2(code: u64, arg1: u64, arg2: u64) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        let args: [u64; 6] = [code, arg1, arg2, 0, 0, 0];
        let result: u64;
        // SAFETY: the client-request preamble from valgrind.h (PLAT_amd64_linux):
        // it only rotates rdi by 128 bits in total and exchanges rbx with
        // itself; valgrind reads `args` through rax and answers in rdx.
        unsafe {
            core::arch::asm!(
                "rol rdi, 3", "rol rdi, 13", "rol rdi, 61", "rol rdi, 51",
                "xchg rbx, rbx",
                inout("rdx") 0u64 => result,
                in("rax") args.as_ptr(),
                inout("rdi") 0u64 => _,
                options(nostack),
            );
        }
        result
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (code, arg1, arg2);
        0
    }
}

pub fn running_on_valgrind() -> bool {
    request(RUNNING_ON_VALGRIND, 0) > 0
}

pub fn zero_stats() {
    request(ZERO_STATS, 0);
}

pub fn toggle_collect() {
    request(TOGGLE_COLLECT, 0);
}

/// Writes the counts collected since the last dump to a new file, labelled `reason`.
pub fn dump_stats_at(reason: &CStr) {
    request(DUMP_STATS_AT, reason.as_ptr() as u64);
}

#[cfg(test)]
mod tests {
    #[test]
    fn requests_are_harmless_natively() {
        assert!(!super::running_on_valgrind());
        super::toggle_collect();
        super::zero_stats();
        super::dump_stats_at(c"native");
    }

    /// The codes valgrind expects: VG_USERREQ_TOOL_BASE('C','T') = 0x43540000,
    /// then DUMP_STATS, ZERO_STATS, TOGGLE_COLLECT, DUMP_STATS_AT in that
    /// order (callgrind.h); a wrong code is ignored by valgrind, silently.
    #[test]
    fn request_codes_are_callgrind_h() {
        assert_eq!(super::tool_base(b'C', b'T'), 0x4354_0000);
        assert_eq!(
            [super::ZERO_STATS, super::TOGGLE_COLLECT, super::DUMP_STATS_AT],
            [0x4354_0001, 0x4354_0002, 0x4354_0003]
        );
    }
}
