//! Windows: who besides the owner may read a file.
//!
//! On Unix a client file's privacy is its mode (`0600`); on Windows it is
//! the file's access-control list. Files in the user's profile inherit an
//! ACL that admits only the user, SYSTEM and Administrators, but a file
//! copied from elsewhere, or a profile moved to another drive, can carry an
//! entry that lets every user read it. This looks for exactly that: an
//! *allow* entry granting read access to Everyone, Users or Authenticated
//! Users. The decision is a pure function ([`broad_reader`]) over the ACL's
//! entries, so it is tested on any OS; reading the ACL itself is Windows
//! API and runs only there.

/// A group that stands for "every user of this machine".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BroadGroup {
    Everyone,
    Users,
    AuthenticatedUsers,
}

impl BroadGroup {
    pub fn name(self) -> &'static str {
        match self {
            BroadGroup::Everyone => "Everyone",
            BroadGroup::Users => "Users",
            BroadGroup::AuthenticatedUsers => "Authenticated Users",
        }
    }
}

/// One access-control entry, as far as this check needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ace {
    /// An allow entry (`ACCESS_ALLOWED_ACE_TYPE`); deny entries never widen access.
    pub allow: bool,
    pub mask: u32,
    /// The broad group its SID is, if it is one.
    pub group: Option<BroadGroup>,
}

const FILE_READ_DATA: u32 = 0x0001;
const GENERIC_READ: u32 = 0x8000_0000;
const GENERIC_ALL: u32 = 0x1000_0000;

/// The first broad group an allow entry lets read the file's data.
pub fn broad_reader(aces: &[Ace]) -> Option<BroadGroup> {
    aces.iter()
        .filter(|ace| ace.allow && ace.mask & (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL) != 0)
        .find_map(|ace| ace.group)
}

/// Reads the file's DACL: the broad group that may read it, if any.
#[cfg(windows)]
pub fn readable_by_everyone(path: &std::path::Path) -> std::io::Result<Option<BroadGroup>> {
    use std::os::windows::ffi::OsStrExt;

    use windows_sys::Win32::Foundation::{ERROR_SUCCESS, LocalFree};
    use windows_sys::Win32::Security::Authorization::{GetNamedSecurityInfoW, SE_FILE_OBJECT};
    use windows_sys::Win32::Security::{
        ACCESS_ALLOWED_ACE, ACL, DACL_SECURITY_INFORMATION, GetAce, IsWellKnownSid,
        PSECURITY_DESCRIPTOR, WinAuthenticatedUserSid, WinBuiltinUsersSid, WinWorldSid,
    };

    const ACCESS_ALLOWED_ACE_TYPE: u8 = 0;
    let wide: Vec<u16> = path.as_os_str().encode_wide().chain(Some(0)).collect();
    let mut dacl: *mut ACL = std::ptr::null_mut();
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: `wide` is NUL-terminated; the out-pointers are valid; the
    // descriptor is freed below with LocalFree as the API requires.
    let status = unsafe {
        GetNamedSecurityInfoW(
            wide.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut dacl,
            std::ptr::null_mut(),
            &mut descriptor,
        )
    };
    if status != ERROR_SUCCESS {
        return Err(std::io::Error::from_raw_os_error(status as i32));
    }
    let mut aces = Vec::new();
    if dacl.is_null() {
        // A NULL DACL grants everyone full access.
        aces.push(Ace {
            allow: true,
            mask: GENERIC_ALL,
            group: Some(BroadGroup::Everyone),
        });
    } else {
        // SAFETY: `dacl` points into `descriptor`, alive until LocalFree.
        let count = unsafe { (*dacl).AceCount };
        for index in 0..u32::from(count) {
            let mut ace: *mut core::ffi::c_void = std::ptr::null_mut();
            // SAFETY: index < AceCount; GetAce writes a pointer into the ACL.
            if unsafe { GetAce(dacl, index, &mut ace) } == 0 || ace.is_null() {
                continue;
            }
            let ace = ace as *const ACCESS_ALLOWED_ACE;
            // SAFETY: every ACE starts with an ACE_HEADER; only allow entries
            // are read as ACCESS_ALLOWED_ACE, whose SID starts at SidStart.
            let (kind, mask, sid) = unsafe {
                (
                    (*ace).Header.AceType,
                    (*ace).Mask,
                    std::ptr::addr_of!((*ace).SidStart) as *mut core::ffi::c_void,
                )
            };
            if kind != ACCESS_ALLOWED_ACE_TYPE {
                continue;
            }
            // SAFETY: `sid` points at the entry's SID inside the ACL.
            let is = |well_known| unsafe { IsWellKnownSid(sid, well_known) } != 0;
            let group = if is(WinWorldSid) {
                Some(BroadGroup::Everyone)
            } else if is(WinBuiltinUsersSid) {
                Some(BroadGroup::Users)
            } else if is(WinAuthenticatedUserSid) {
                Some(BroadGroup::AuthenticatedUsers)
            } else {
                None
            };
            aces.push(Ace {
                allow: true,
                mask,
                group,
            });
        }
    }
    // SAFETY: allocated by GetNamedSecurityInfoW for us to free.
    unsafe { LocalFree(descriptor) };
    Ok(broad_reader(&aces))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allow_entries_with_read_access_for_broad_groups_count() {
        let ace = |allow, mask, group| Ace { allow, mask, group };
        assert_eq!(broad_reader(&[]), None);
        assert_eq!(broad_reader(&[ace(true, GENERIC_ALL, None)]), None);
        assert_eq!(
            broad_reader(&[ace(false, GENERIC_READ, Some(BroadGroup::Everyone))]),
            None
        );
        assert_eq!(
            broad_reader(&[ace(true, 0x0002, Some(BroadGroup::Users))]),
            None,
            "write-only is not read"
        );
        assert_eq!(
            broad_reader(&[
                ace(true, GENERIC_ALL, None),
                ace(true, FILE_READ_DATA, Some(BroadGroup::AuthenticatedUsers)),
            ]),
            Some(BroadGroup::AuthenticatedUsers)
        );
    }
}
