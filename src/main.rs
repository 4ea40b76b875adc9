//! Mounts the console; everything else lives in the library.

fn main() {
    sipauth_console::start();
}
