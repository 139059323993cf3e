//! Integration tests: the real binary (and the library's public API) on
//! files generated in temporary directories.

mod util;

mod archives;
mod contract;
mod formats;
mod gen;
mod history;
mod html;
mod inputs;
mod invariance;
mod lnav;
mod partial;
mod patterns;
mod post;
mod ranking;
mod scan;
mod shared_data;
mod structured;
