//! kconfig's `conf_read` checks after loading and `conf_write`: the effective
//! configuration as `conf --olddefconfig` writes `.config`, byte for byte.

use super::eval::Evaluator;
use super::expr::Tri;
use super::tree::{Node, NodeId, NodeKind, SymId, Tree, Type};
use super::Semantics;

/// The steps of `conf_read` after the values are loaded: compute everything, then drop
/// numbers and strings outside their range (kconfig recomputes only those).
/// Returns whether kconfig would consider the configuration changed.
pub(crate) fn settle(ev: &mut Evaluator<'_>, input_warnings: bool, semantics: Semantics) -> bool {
    let tree = ev.tree;
    ev.calc(tree.modules);
    let mut unsaved = 0usize;
    for id in tree.symbol_ids() {
        ev.calc(id);
        let sym = tree.sym(id);
        if sym.choice || sym.constant {
            continue;
        }
        let s = ev.state(id);
        if s.has_user && s.write {
            let same = if sym.ty.is_logic() {
                s.user_tri == s.tri
            } else {
                s.user_val.as_deref() == Some(s.val.as_str())
            };
            if same {
                continue;
            }
        } else if !s.has_user && !s.write {
            continue;
        }
        unsaved += 1;
    }
    let mut dropped = false;
    for id in tree.symbol_ids() {
        let sym = tree.sym(id);
        if !ev.state(id).has_user || sym.choice_of.is_some() {
            continue;
        }
        if ev.state(id).visible == Tri::No && unsaved == 0 {
            ev.state_mut(id).has_user = false;
        }
        if matches!(sym.ty, Type::String | Type::Int | Type::Hex) {
            let text = ev.state(id).user_val.clone().unwrap_or_default();
            if !ev.string_within_range(id, &text) {
                ev.invalidate(id);
                ev.state_mut(id).has_user = false;
                unsaved += 1;
                dropped = true;
            }
        }
    }
    if dropped && semantics == Semantics::Kconfiglib {
        ev.invalidate_all();
        ev.modules_val = Tri::No;
        ev.calc(tree.modules);
    }
    input_warnings || unsaved > 0
}

/// The prompt a visible menu is shown with, which heads its block and ends it.
fn menu_title<'t>(tree: &'t Tree, node: &Node) -> &'t str {
    &tree
        .prop(node.prompt.expect("a visible menu has a prompt"))
        .text
}

/// Whether kconfig's `menu_is_visible` holds for a menu or comment node.
pub(crate) fn menu_visible(ev: &mut Evaluator<'_>, node: NodeId) -> bool {
    let tree = ev.tree;
    let n = tree.node(node);
    let Some(prompt) = n.prompt else {
        return false;
    };
    if n.visibility.is_some() && ev.eval(n.visibility.as_ref()) == Tri::No {
        return false;
    }
    ev.eval(tree.prop(prompt).cond.as_ref()) != Tri::No
}

/// kconfig's first comment block of a `.config`.
pub(crate) fn kconfig_header(tree: &Tree) -> String {
    format!(
        "#\n# Automatically generated file; DO NOT EDIT.\n# {}\n#\n",
        tree.mainmenu()
    )
}

/// The `.config` text after the header.
pub(crate) fn write(ev: &mut Evaluator<'_>, changed: bool) -> String {
    let tree = ev.tree;
    if !changed {
        ev.invalidate_all();
        ev.calc(tree.modules);
    }
    let mut out = String::with_capacity(256 * 1024);
    let mut written = vec![false; tree.symbols.len()];
    let mut need_newline = false;
    for &child in &tree.node(tree.root()).children {
        walk(ev, child, &mut out, &mut written, &mut need_newline);
    }
    out
}

fn walk(
    ev: &mut Evaluator<'_>,
    id: NodeId,
    out: &mut String,
    written: &mut [bool],
    need_newline: &mut bool,
) {
    let tree = ev.tree;
    let node = tree.node(id);
    match node.sym {
        None => {
            if menu_visible(ev, id) {
                out.push_str("\n#\n# ");
                out.push_str(menu_title(tree, node));
                out.push_str("\n#\n");
                *need_newline = false;
            }
        }
        Some(sym) if !tree.sym(sym).choice && !written[sym.0 as usize] => {
            ev.calc(sym);
            if ev.state(sym).write {
                if *need_newline {
                    out.push('\n');
                    *need_newline = false;
                }
                written[sym.0 as usize] = true;
                print_symbol(ev, sym, out);
            }
        }
        Some(_) => {}
    }
    for &child in &node.children {
        walk(ev, child, out, written, need_newline);
    }
    if node.kind == NodeKind::Menu && menu_visible(ev, id) {
        out.push_str("# end of ");
        out.push_str(menu_title(tree, node));
        out.push('\n');
        *need_newline = true;
    }
}

fn print_symbol(ev: &mut Evaluator<'_>, sym: SymId, out: &mut String) {
    let tree: &Tree = ev.tree;
    let s = tree.sym(sym);
    if s.ty == Type::Unknown {
        return;
    }
    let value = ev.string_value(sym).into_owned();
    if s.ty.is_logic() && value == "n" {
        out.push_str("# CONFIG_");
        out.push_str(&s.name);
        out.push_str(" is not set\n");
        return;
    }
    out.push_str("CONFIG_");
    out.push_str(&s.name);
    out.push('=');
    if s.ty == Type::String {
        out.push_str(&crate::value::quote(&value));
    } else {
        out.push_str(&value);
    }
    out.push('\n');
}
