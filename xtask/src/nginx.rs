//! Debian's nginx, run by the tests and the bench from a config of ours in
//! a prefix directory of its own, stopped (SIGTERM: the master stops its
//! workers too; a killed master leaves them serving) and removed when
//! dropped.

use crate::steps::terminate;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Nginx {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    prefix: PathBuf,
}

impl Nginx {
    /// Writes `conf` to `prefix/nginx.conf`, starts nginx on it and waits
    /// until it accepts on `port` (which `conf` listens on).
    pub fn launch(prefix: PathBuf, conf: &str, port: u16) -> Result<Nginx, String> {
        let conf_path = prefix.join("nginx.conf");
        std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
        let child = Command::new("/usr/sbin/nginx")
            .arg("-p")
            .arg(&prefix)
            .arg("-c")
            .arg(&conf_path)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start nginx: {e}"))?;
        let nginx = Nginx {
            child,
            base: format!("http://127.0.0.1:{port}"),
            prefix,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(nginx);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = std::fs::read_to_string(nginx.prefix.join("error.log")).unwrap_or_default();
        Err(format!("nginx did not start: {log}"))
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        terminate(&mut self.child);
        let _ = std::fs::remove_dir_all(&self.prefix);
    }
}
