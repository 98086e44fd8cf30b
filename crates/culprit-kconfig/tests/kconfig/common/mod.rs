pub mod kconfiglib;
pub mod linux;
