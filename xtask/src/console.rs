//! The console's release build into `dist/`, split into wasm chunks.
//!
//! Trunk has no step between linking and wasm-bindgen, where the splitter
//! must run, so this is the release build; `trunk serve` stays the
//! development loop (one unsplit wasm). The order is the one that works
//! with Leptos 0.8's `wasm_split`: link keeping relocations, split the raw
//! linker output, run wasm-bindgen keeping the linker's exports (the
//! chunks import them), then wasm-opt each file. Every file is named after
//! its content (`name-<16 hex>.ext`), so it can be cached for a year.

use crate::steps::sh;
use crate::tools;
use std::path::{Path, PathBuf};

const TARGET: &str = "wasm32-unknown-unknown";
const NAME: &str = "sipauth-console";

/// Builds the split console into `dist/` (replacing what was there).
pub fn build(root: &Path) -> Result<(), String> {
    build_into(root, true, &root.join("dist"))
}

/// The same console in one wasm, as before the split: the bench's "before".
pub fn build_whole(root: &Path, dist: &Path) -> Result<(), String> {
    build_into(root, false, dist)
}

fn build_into(root: &Path, split: bool, dist: &Path) -> Result<(), String> {
    tools::wasm_target()?;
    tools::wasm_bindgen(root)?;
    tools::wasm_split()?;
    tools::node_modules(root)?;
    // Only the final link gets `--emit-relocs` (the splitter needs the
    // relocations): the dependencies' artifacts stay the ones every other
    // wasm build shares.
    let mut cargo = vec![
        "rustc",
        "-p",
        NAME,
        "--release",
        "--target",
        TARGET,
        "--bin",
        NAME,
    ];
    if split {
        cargo.extend(["--features", "split", "--", "-Clink-args=--emit-relocs"]);
    }
    sh("cargo", &cargo)?;
    let raw = root.join(format!("target/{TARGET}/release/{NAME}.wasm"));
    let work = root.join("target/console-split");
    let _ = std::fs::remove_dir_all(&work);
    let (pieces, bindgen) = (work.join("split"), work.join("bindgen"));
    for dir in [&pieces, &bindgen] {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let main = if split {
        sh(
            "wasm-split-cli",
            &[
                path(&raw)?,
                path(&pieces)?,
                "--target",
                "web",
                "--out-name",
                NAME,
            ],
        )?;
        pieces.join(format!("{NAME}.wasm"))
    } else {
        raw
    };
    let mut bindgen_args = vec!["--target", "web", "--out-name", NAME];
    if split {
        bindgen_args.extend(["--keep-lld-exports", "--no-demangle"]);
    }
    bindgen_args.extend(["--out-dir", path(&bindgen)?, path(&main)?]);
    sh("wasm-bindgen", &bindgen_args)?;
    let mut wasm = vec![bindgen.join(format!("{NAME}_bg.wasm"))];
    wasm.extend(chunks(&pieces)?);
    optimize(&wasm)?;
    assemble(root, &pieces, &bindgen, dist)?;
    precompress(dist)
}

/// Writes `<file>.gz` (zopfli: gzip that every client reads, about 4%
/// smaller than gzip -9) and `<file>.br` (brotli at its strongest, which
/// browsers ask for over HTTPS) beside every file of `dist/`, two files at
/// a time. The embedded server and nginx send these as they are instead of
/// compressing on each request at a lower level.
pub fn precompress(dist: &Path) -> Result<(), String> {
    let files: Vec<PathBuf> = std::fs::read_dir(dist)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && !matches!(p.extension().and_then(|e| e.to_str()), Some("gz" | "br"))
        })
        .collect();
    two_at_a_time(&files, |file| {
        compress_beside(file).map_err(|e| format!("{}: {e}", file.display()))
    })
}

/// `job` on every file, on two threads (two cores), the largest first;
/// every failure said.
fn two_at_a_time(
    files: &[PathBuf],
    job: impl Fn(&Path) -> Result<(), String> + Sync,
) -> Result<(), String> {
    let mut queue: Vec<&PathBuf> = files.iter().collect();
    queue.sort_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0));
    let queue = std::sync::Mutex::new(queue);
    let failed = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let Some(file) = queue.lock().expect("queue").pop() else {
                    return;
                };
                if let Err(e) = job(file) {
                    failed.lock().expect("failed").push(e);
                }
            });
        }
    });
    let failed = failed.into_inner().expect("failed");
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("\n"))
    }
}

fn compress_beside(file: &Path) -> std::io::Result<()> {
    let bytes = std::fs::read(file)?;
    let beside = |ext: &str| {
        let mut name = file.as_os_str().to_owned();
        name.push(ext);
        PathBuf::from(name)
    };
    let mut gz = Vec::new();
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        &bytes[..],
        &mut gz,
    )?;
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams::default();
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &params)?;
    // A compressed copy no smaller than the file would only cost time.
    for (ext, packed) in [(".gz", gz), (".br", br)] {
        if packed.len() < bytes.len() {
            std::fs::write(beside(ext), packed)?;
        }
    }
    Ok(())
}

fn path(p: &Path) -> Result<&str, String> {
    p.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", p.display()))
}

/// The chunk files the splitter wrote (all its wasm but the main one).
fn chunks(split: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(split).map_err(|e| e.to_string())? {
        let p = entry.map_err(|e| e.to_string())?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with(".wasm") && name != format!("{NAME}.wasm") {
            found.push(p);
        }
    }
    found.sort();
    Ok(found)
}

/// binaryen's wasm-opt (from npm; Debian's is too old) on every file, two
/// at a time (two cores), the largest first.
fn optimize(files: &[PathBuf]) -> Result<(), String> {
    two_at_a_time(files, |file| {
        let out = std::process::Command::new("wasm-opt")
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
            ])
            .arg(file)
            .arg("-o")
            .arg(file)
            .output()
            .map_err(|e| format!("cannot run wasm-opt: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "wasm-opt {}: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    })
}

/// 16 hex digits of a deterministic hash (SipHash with fixed keys): the
/// name changes with the content.
fn digest(bytes: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Names every file after its content and writes `dist/`: the chunks, the
/// main wasm, the two scripts that import each other (the bindings and
/// the chunk loader, named by one hash over both), the style sheet, the
/// start-up script and index.html with preload hints.
fn assemble(root: &Path, split: &Path, bindgen: &Path, dist: &Path) -> Result<(), String> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let text = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let _ = std::fs::remove_dir_all(dist);
    std::fs::create_dir_all(dist).map_err(|e| e.to_string())?;
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dist.join(name), bytes).map_err(|e| format!("{name}: {e}"))
    };

    // No loader when the console is one wasm (the bench's "before", which
    // also starts nothing early).
    let loader_path = split.join("__wasm_split.js");
    let split_build = loader_path.exists();
    let mut loader = if split_build {
        text(&loader_path)?
    } else {
        String::new()
    };
    for chunk in chunks(split)? {
        let bytes = read(&chunk)?;
        let stem = chunk
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("chunk name")?;
        let named = format!("{stem}-{}.wasm", digest(&bytes));
        let reference = format!("\"./{stem}.wasm\"");
        if !loader.contains(&reference) {
            return Err(format!("the chunk loader does not name {stem}.wasm"));
        }
        loader = loader.replace(&reference, &format!("\"./{named}\""));
        write(&named, &bytes)?;
    }
    let main_wasm = read(&bindgen.join(format!("{NAME}_bg.wasm")))?;
    let main_wasm_name = format!("{NAME}-{}_bg.wasm", digest(&main_wasm));
    write(&main_wasm_name, &main_wasm)?;

    let mut bindings = text(&bindgen.join(format!("{NAME}.js")))?;
    // wasm-bindgen's JS snippets (sign_in.js), named after their content
    // like everything else, at the top of dist/.
    let mut sign_in = None;
    for snippet in snippets(&bindgen.join("snippets"))? {
        let bytes = minify(root, &text(&snippet)?)?.into_bytes();
        let relative = snippet
            .strip_prefix(bindgen)
            .map_err(|e| e.to_string())?
            .to_str()
            .ok_or("snippet path")?
            .to_string();
        let stem = snippet
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("snippet name")?;
        let named = format!("{}-{}.js", stem.replace('_', "-"), digest(&bytes));
        let reference = format!("./{relative}");
        if !bindings.contains(&reference) {
            return Err(format!("the bindings do not import {relative}"));
        }
        bindings = bindings.replace(&reference, &format!("./{named}"));
        write(&named, &bytes)?;
        if stem == "sign_in" {
            sign_in = Some(named);
        }
    }
    let sign_in = sign_in.ok_or("wasm-bindgen wrote no sign_in.js snippet")?;
    let homes = home_files(&loader)?;
    let pair = digest(format!("{bindings}\0{loader}").as_bytes());
    let (bindings_name, loader_name) =
        (format!("{NAME}-{pair}.js"), format!("wasm-split-{pair}.js"));
    // The script's imports only: the wasm's import module keeps its name.
    let bindings = bindings.replace(
        "from \"./__wasm_split.js\"",
        &format!("from \"./{loader_name}\""),
    );
    let loader = loader.replace(
        &format!("from \"./{NAME}.js\""),
        &format!("from \"./{bindings_name}\""),
    );
    // Minified once every name is in place (terser rewrites the `from`
    // clauses matched above). The loader stays as the splitter wrote it
    // (1 KB gzip; the bench reads its table of chunks).
    write(&bindings_name, minify(root, &bindings)?.as_bytes())?;
    let loader_name = (!loader.is_empty()).then_some(loader_name);
    if let Some(name) = &loader_name {
        write(name, loader.as_bytes())?;
    }

    let css = read(&root.join("style/main.css"))?;
    let css_name = format!("main-{}.css", digest(&css));
    write(&css_name, &css)?;

    // The start-up script is a file: the CSP allows no inline script.
    let boot = boot_script(
        &bindings_name,
        &main_wasm_name,
        &sign_in,
        &homes,
        loader_name.as_deref(),
    );
    let boot_name = format!("boot-{}.js", digest(boot.as_bytes()));
    write(&boot_name, boot.as_bytes())?;

    let template = text(&root.join("index.html"))?;
    let html = page(
        &template,
        &css_name,
        // The split build's start-up script fetches the wasm and imports
        // its bindings itself: not on the sign-in page until the operator
        // types (elsewhere both start at once, beside config and session).
        &match split_build {
            true => vec![sign_in.as_str()],
            false => vec![bindings_name.as_str()],
        },
        (!split_build).then_some(main_wasm_name.as_str()),
        &boot_name,
    )?;
    write("index.html", html.as_bytes())
}

/// The script minified by terser (from npm): names shortened, comments
/// and dead code gone. Module scope, so its imports and exports keep their
/// names, and so do the string literals naming the other files.
fn minify(root: &Path, script: &str) -> Result<String, String> {
    let dir = root.join("target/console-split");
    let (input, output) = (dir.join("minify-in.js"), dir.join("minify-out.js"));
    std::fs::write(&input, script).map_err(|e| e.to_string())?;
    sh(
        path(&root.join("node_modules/.bin/terser"))?,
        &[
            path(&input)?,
            "--module",
            "--compress",
            "--mangle",
            "--output",
            path(&output)?,
        ],
    )?;
    std::fs::read_to_string(&output).map_err(|e| e.to_string())
}

/// Starts the wasm; first asks for `config.json` and then the session (and,
/// signed in at the credentials page, its list's first page: `firstListUrl`
/// in sign_in.js), so the answers are here when the wasm has compiled
/// (`src/api/early.rs` takes them). The session request is the console's own: same URL, same
/// header, the browser's default credentials. On the sign-in page, signed
/// out, it shows the sign-in form (sign_in.js) without the wasm, fetches
/// the wasm and its bindings once the operator types, and hands the
/// console the session the sign-in answered with.
/// Without a chunk loader (the bench's one-wasm "before"), only the wasm.
fn boot_script(
    bindings: &str,
    wasm: &str,
    sign_in: &str,
    homes: &str,
    loader: Option<&str>,
) -> String {
    let Some(loader) = loader else {
        return format!(
            "import init from '/{bindings}';\nawait init({{ module_or_path: '/{wasm}' }});\n"
        );
    };
    format!(
        "import {{ firstListUrl, sessionUrl, showSignInPage }} from '/{sign_in}';\n\
         // Each answer's body is read as soon as it arrives, so that the\n\
         // console's read of it waits for no task of its own: the console,\n\
         // its page and the list's first rows are then drawn in one go.\n\
         const bodies = new WeakMap();\n\
         const ahead = (answer) => answer.then((r) => {{\n\
         \x20 if (r) bodies.set(r, r.clone().text().catch(() => null));\n\
         \x20 return r;\n\
         }});\n\
         const config = ahead(fetch('/config.json'));\n\
         const settings = config.then((r) => (r.ok ? r.clone().json() : null)).catch(() => null);\n\
         const session = settings\n\
         \x20 .then((c) => (c && c.sign_in !== false\n\
         \x20   ? ahead(fetch(sessionUrl(c.api_base), {{ headers: {{ 'X-Requested-With': 'sipauth-console' }} }}))\n\
         \x20   : null))\n\
         \x20 .catch(() => null);\n\
         // Signed in: the first page of the home list, while the wasm compiles.\n\
         const list = Promise.all([settings, session])\n\
         \x20 .then(async ([c, s]) => {{\n\
         \x20   if (!s || !s.ok) return null;\n\
         \x20   const url = firstListUrl(c, await s.clone().json(), location.pathname, sessionStorage.getItem('account'));\n\
         \x20   return url && {{ url, answer: ahead(fetch(url, {{ headers: {{ 'X-Requested-With': 'sipauth-console' }} }})) }};\n\
         \x20 }})\n\
         \x20 .catch(() => null);\n\
         window.sipauthEarly = {{ config, session, list, bodies }};\n\
         const homes = {homes};\n\
         let started = null;\n\
         // The wasm compiles as it arrives, beside its bindings and their\n\
         // chunk loader (fetched together, not one after the other).\n\
         const load = () => {{\n\
         \x20 if (!started) {{\n\
         \x20   const hint = document.createElement('link');\n\
         \x20   hint.rel = 'modulepreload';\n\
         \x20   hint.href = '/{loader}';\n\
         \x20   document.head.append(hint);\n\
         \x20   // A server that sends it as another type than application/wasm\n\
         \x20   // only costs the streaming (as wasm-bindgen's own start does).\n\
         \x20   const code = WebAssembly.compileStreaming(fetch('/{wasm}')).catch((e) => {{\n\
         \x20     console.warn('The wasm is compiled after its download: is it served as application/wasm?', e);\n\
         \x20     return fetch('/{wasm}').then((r) => {{\n\
         \x20       if (!r.ok) throw new Error(`the wasm did not arrive: HTTP ${{r.status}}`);\n\
         \x20       return r.arrayBuffer();\n\
         \x20     }}).then((b) => WebAssembly.compile(b));\n\
         \x20   }});\n\
         \x20   started = [code, import('/{bindings}')];\n\
         \x20 }}\n\
         \x20 return started;\n\
         }};\n\
         // Typing: the console compiles and its home page's chunk files come\n\
         // meanwhile (read to the end, so that they are whole in the HTTP cache).\n\
         const typing = async () => {{\n\
         \x20 load()[0].catch(() => {{}});\n\
         \x20 const c = await settings;\n\
         \x20 for (const file of homes[c && c.dialect] || homes.default) {{\n\
         \x20   fetch(file).then((r) => r.arrayBuffer()).catch(() => {{}});\n\
         \x20 }}\n\
         }};\n\
         if (location.pathname === '/sign-in' && (await session)?.status === 401) {{\n\
         \x20 const answer = await showSignInPage(await settings, typing);\n\
         \x20 window.sipauthEarly.session = Promise.resolve(answer);\n\
         }}\n\
         const [code, bindings] = load();\n\
         await (await bindings).default({{ module_or_path: code }});\n"
    )
}

/// The split module each dialect's home page is in (`Chunk::of` of the
/// profile's first page in src/chunks.rs): twilio's credential lists; every
/// other dialect's credentials page is in the first wasm.
const HOMES: [(&str, Option<&str>); 2] = [("twilio", Some("twilio")), ("default", None)];

/// The chunk files (`/name.wasm`) of each dialect's home page, as a JS
/// object, read off the splitter's loader: a module's own file and those
/// of the shared chunks it names as its dependencies. `{}` for one wasm.
fn home_files(loader: &str) -> Result<String, String> {
    if loader.is_empty() {
        return Ok("{}".into());
    }
    // Each definition: `const <name> = ...makeLoad(() => { ... "./<file>.wasm" ... }, [<deps>])`.
    let mut files = std::collections::BTreeMap::new();
    let mut deps = std::collections::BTreeMap::new();
    let top_level = loader.replace("\nexport const __", "\nconst __");
    for definition in top_level.split("\nconst __").skip(1) {
        let Some((name, body)) = definition.split_once(" = ") else {
            continue;
        };
        let Some(file) = body
            .split("\"./")
            .nth(1)
            .and_then(|rest| rest.split_once('"'))
            .map(|(file, _)| file)
            .filter(|file| file.ends_with(".wasm"))
        else {
            continue;
        };
        let needs: Vec<String> = body
            .rsplit_once('[')
            .and_then(|(_, list)| list.split_once(']'))
            .map(|(list, _)| list)
            .unwrap_or_default()
            .split(',')
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .collect();
        let name = format!("__{}", name.trim());
        files.insert(name.clone(), format!("/{file}"));
        deps.insert(name, needs);
    }
    let mut out = Vec::new();
    for (dialect, module) in HOMES {
        let Some(module) = module else {
            out.push(format!("{dialect}: []"));
            continue;
        };
        let name = format!("__wasm_split_load_{module}");
        let own = files
            .get(&name)
            .ok_or_else(|| format!("the chunk loader has no module {module}"))?;
        let mut list = vec![own.clone()];
        for dep in &deps[&name] {
            list.push(
                files
                    .get(dep)
                    .ok_or_else(|| format!("the chunk loader has no {dep}"))?
                    .clone(),
            );
        }
        let list: Vec<String> = list.iter().map(|f| format!("'{f}'")).collect();
        out.push(format!("{dialect}: [{}]", list.join(", ")));
    }
    Ok(format!("{{ {} }}", out.join(", ")))
}

/// Every file under wasm-bindgen's `snippets/` (none: an empty list).
fn snippets(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(found);
    };
    for entry in entries {
        let p = entry.map_err(|e| e.to_string())?.path();
        if p.is_dir() {
            found.extend(snippets(&p)?);
        } else if p.extension().is_some_and(|e| e == "js") {
            found.push(p);
        }
    }
    found.sort();
    Ok(found)
}

/// index.html without Trunk's directives, with the style sheet, the hints
/// that start every download the page needs while the HTML is still being
/// read (the scripts, `config.json`, the main wasm when given), and the
/// start-up script.
fn page(
    template: &str,
    css: &str,
    scripts: &[&str],
    wasm: Option<&str>,
    boot: &str,
) -> Result<String, String> {
    let kept: Vec<&str> = template
        .lines()
        .filter(|l| !l.contains("data-trunk"))
        .collect();
    let kept = kept.join("\n");
    let mut tags = format!("    <link rel=\"stylesheet\" href=\"/{css}\" />\n");
    for script in scripts {
        tags += &format!("    <link rel=\"modulepreload\" href=\"/{script}\" />\n");
    }
    if let Some(wasm) = wasm {
        tags += &format!("    <link rel=\"preload\" href=\"/{wasm}\" as=\"fetch\" type=\"application/wasm\" crossorigin />\n");
    }
    tags += &format!(
        "    <link rel=\"preload\" href=\"/config.json\" as=\"fetch\" crossorigin />\n\
         \x20   <script type=\"module\" src=\"/{boot}\"></script>\n  </head>"
    );
    if !kept.contains("</head>") {
        return Err("index.html has no </head>".into());
    }
    Ok(kept.replacen("  </head>", &tags, 1) + "\n")
}

#[cfg(test)]
mod tests {
    use super::page;

    #[test]
    fn each_home_page_names_its_module_and_shared_chunk_files() {
        let loader = r#"import { initSync } from "./x.js";
const __chunk_4 = makeLoad(() => {
    const src = fetch(new URL("./chunk_4-aa.wasm", import.meta.url));
}
, []);
const __chunk_5 = makeLoad(() => {
    const src = fetch(new URL("./chunk_5-bb.wasm", import.meta.url));
}
, []);
export const __wasm_split_load_twilio = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_twilio-cc.wasm", import.meta.url));
}
, [__chunk_5]));
export const __wasm_split_load_credentials = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_credentials-dd.wasm", import.meta.url));
}
, [__chunk_4, __chunk_5]));
"#;
        assert_eq!(
            super::home_files(loader).unwrap(),
            "{ twilio: ['/split_twilio-cc.wasm', '/chunk_5-bb.wasm'], default: [] }"
        );
        assert!(super::home_files(&loader.replace("twilio", "other")).is_err());
    }

    #[test]
    fn the_page_loses_trunks_directives_and_gains_hints() {
        let template = "<html>\n  <head>\n    <title>t</title>\n    <link data-trunk rel=\"rust\" />\n  </head>\n  <body></body>\n</html>\n";
        let html = page(
            template,
            "main-1.css",
            &["a-2.js", "w-2.js"],
            Some("a-3_bg.wasm"),
            "boot-4.js",
        )
        .unwrap();
        assert!(!html.contains("data-trunk"), "{html}");
        assert!(html.contains("<title>t</title>"));
        for hint in [
            "href=\"/main-1.css\"",
            "rel=\"modulepreload\" href=\"/a-2.js\"",
            "rel=\"modulepreload\" href=\"/w-2.js\"",
            "href=\"/a-3_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin",
            "href=\"/config.json\" as=\"fetch\" crossorigin",
            "<script type=\"module\" src=\"/boot-4.js\"></script>",
        ] {
            assert!(html.contains(hint), "{hint} in {html}");
        }
        // The hints come before the start-up script, all inside <head>.
        let head_end = html.find("</head>").unwrap();
        assert!(html.find("boot-4.js").unwrap() < head_end);
        assert!(html.find("/config.json").unwrap() < html.find("boot-4.js").unwrap());
        // The split build's page names no wasm: the sign-in page needs none.
        let html = page(template, "main-1.css", &["a-2.js"], None, "boot-4.js").unwrap();
        assert!(!html.contains(".wasm"), "{html}");
    }
}
