// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
//! Link libodm where pkg-config says it is (PKG_CONFIG_PATH and
//! PKG_CONFIG_SYSROOT_DIR are honoured), without the pkg-config crate.
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_LIBDIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_SYSROOT_DIR");
    let out = Command::new(std::env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into()))
        .args(["--libs", "libodm"])
        .output()
        .expect("build.rs: cannot run pkg-config");
    if !out.status.success() {
        panic!(
            "build.rs: pkg-config knows no libodm: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for flag in String::from_utf8_lossy(&out.stdout).split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={}", dir);
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib=dylib={}", lib);
        }
    }
}
