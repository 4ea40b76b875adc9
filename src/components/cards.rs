//! Lists as cards on a phone: each cell of a `table.list` labelled with its
//! column's heading, kept current as pages change.

use leptos::prelude::request_animation_frame;

/// On a phone each row of a `table.list` is a card (style/main.css): every
/// cell shows its column's heading before its value, from `data-label`,
/// copied here from the table's own headings so no row has to repeat them
/// and the table keeps its semantics for screen readers. A cell of plain
/// text is cut to one line there (`data-clip`); one that is cut gets the
/// whole value as its title and can take focus, which shows it whole; an
/// empty cell (`data-empty`) is left out of its card.
pub fn label_cells() {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // Cells are cut only in cards: at desktop width nothing is measured.
    let phone = web_sys::window()
        .and_then(|w| w.match_media(PHONE).ok().flatten())
        .is_some_and(|m| m.matches());
    // Written first, measured after: reading a width between writes would
    // lay the page out once per cell, before the frame is painted.
    let mut clipped = Vec::new();
    let tables = document.get_elements_by_class_name("list");
    for t in 0..tables.length() {
        let Some(table) = tables
            .item(t)
            .and_then(|t| t.dyn_into::<web_sys::HtmlTableElement>().ok())
        else {
            continue;
        };
        let headings: Vec<String> = table
            .t_head()
            .and_then(|head| head.rows().item(0))
            .and_then(|row| row.dyn_into::<web_sys::HtmlTableRowElement>().ok())
            .map(|row| {
                let cells = row.cells();
                (0..cells.length())
                    .map(|i| {
                        let text = cells.item(i).and_then(|c| c.text_content());
                        // A sortable heading also holds its arrow.
                        text.unwrap_or_default()
                            .trim_end_matches(['\u{25b2}', '\u{25bc}', '\u{2195}'])
                            .trim()
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default();
        let rows = table.rows();
        for r in 0..rows.length() {
            let Some(row) = rows
                .item(r)
                .and_then(|r| r.dyn_into::<web_sys::HtmlTableRowElement>().ok())
            else {
                continue;
            };
            let cells = row.cells();
            for c in 0..cells.length() {
                let Some(cell) = cells.item(c) else { continue };
                if cell.tag_name() != "TD" || cell.closest("thead").ok().flatten().is_some() {
                    continue;
                }
                if !cell.has_attribute("data-label") {
                    let label = headings.get(c as usize).map_or("", String::as_str);
                    let _ = cell.set_attribute("data-label", label);
                    if cell.child_element_count() == 0 {
                        let _ = cell.set_attribute("data-clip", "");
                    }
                }
                let empty = cell.text_content().unwrap_or_default().trim().is_empty()
                    && cell
                        .query_selector("button, input, select, a")
                        .ok()
                        .flatten()
                        .is_none();
                if empty != cell.has_attribute("data-empty") {
                    let _ = cell.toggle_attribute_with_force("data-empty", empty);
                }
                if cell.has_attribute("data-clip") {
                    clipped.push(cell);
                }
            }
        }
    }
    // Whether a cell is cut depends on the width: checked each time, in one
    // layout.
    let cut: Vec<bool> = clipped
        .iter()
        .map(|cell| phone && cell.scroll_width() > cell.client_width())
        .collect();
    for (cell, cut) in clipped.iter().zip(cut) {
        if cut {
            let _ = cell.set_attribute("tabindex", "0");
            let _ = cell.set_attribute("title", &cell.text_content().unwrap_or_default());
        } else if cell.has_attribute("tabindex") {
            let _ = cell.remove_attribute("tabindex");
            let _ = cell.remove_attribute("title");
        }
    }
}

/// Where lists become cards (style/main.css, "Phones").
const PHONE: &str = "(max-width: 700px)";

/// Runs [`label_cells`] once per frame in which the page changed or the
/// window was resized, for as long as the page lives.
pub fn keep_cells_labelled() {
    use std::cell::Cell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let queued = Rc::new(Cell::new(false));
    let schedule = move || {
        if !queued.replace(true) {
            let queued = queued.clone();
            request_animation_frame(move || {
                queued.set(false);
                label_cells();
            });
        }
    };
    let on_change = Closure::<dyn Fn()>::new(schedule.clone());
    let on_resize = Closure::<dyn Fn()>::new(schedule);
    if let (Ok(observer), Some(body)) = (
        web_sys::MutationObserver::new(on_change.as_ref().unchecked_ref()),
        window.document().and_then(|d| d.body()),
    ) {
        let options = web_sys::MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        // A cell's text can change in place (where-used arrives later).
        options.set_character_data(true);
        let _ = observer.observe_with_options(&body, &options);
    }
    let _ = window.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
    // Both live as long as the page.
    on_change.forget();
    on_resize.forget();
}
