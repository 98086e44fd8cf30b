//! What kconfig's `menu_finalize` does after parsing: every node's dependencies include
//! its parents' (an `if`, a `menu depends on`, the choice it is in), every property's
//! condition includes its node's dependencies, `select` and `imply` become reverse
//! dependencies of their targets, and choices learn their values and type.

use super::expr::{and, or, Cmp, Expr};
use super::tree::{NodeId, NodeKind, PropKind, SymId, Tree, Type};

pub fn finalize(tree: &mut Tree) {
    finalize_node(tree, tree.root());
}

/// `m` means `m && MODULES`, so that it is `n` when modules are off.
fn rewrite_m(e: Option<Expr>, modules: SymId, module: SymId) -> Option<Expr> {
    fn go(e: Expr, modules: SymId, module: SymId) -> Expr {
        match e {
            Expr::Sym(s) if s == module => {
                Expr::And(Box::new(Expr::Sym(s)), Box::new(Expr::Sym(modules)))
            }
            Expr::Not(inner) => Expr::Not(Box::new(go(*inner, modules, module))),
            Expr::And(a, b) => Expr::And(
                Box::new(go(*a, modules, module)),
                Box::new(go(*b, modules, module)),
            ),
            Expr::Or(a, b) => Expr::Or(
                Box::new(go(*a, modules, module)),
                Box::new(go(*b, modules, module)),
            ),
            other => other,
        }
    }
    e.map(|e| go(e, modules, module))
}

fn finalize_node(tree: &mut Tree, id: NodeId) {
    let node = tree.node(id).clone();
    let choice = node.sym.filter(|&s| tree.sym(s).choice);
    if !node.children.is_empty() {
        if let Some(choice) = choice {
            infer_choice_type(tree, choice, &node.children);
        }
        let parent_dep = match choice {
            Some(choice) => Some(Expr::Sym(choice)),
            None => node.dep.clone(),
        };
        for &child in &node.children {
            propagate(tree, child, parent_dep.clone());
        }
        for &child in &node.children {
            finalize_node(tree, child);
        }
        if let Some(choice) = choice {
            let mut members = Vec::new();
            choice_members(tree, &node.children, &mut members);
            for (member, at) in members {
                add_choice_value(tree, choice, member, at);
            }
        }
    } else if let Some(sym) = node.sym {
        let s = tree.sym_mut(sym);
        // As kconfig does: a definition without dependencies adds nothing to the others'.
        s.dir_dep = or(s.dir_dep.take(), node.dep.clone());
    }
    if let (Some(choice), Some(prompt)) = (choice, node.prompt) {
        if !tree.sym(choice).optional {
            let visible = tree.prop(prompt).cond.clone();
            let forced = and(visible, Some(Expr::Sym(tree.module())));
            let s = tree.sym_mut(choice);
            s.rev_dep = or(s.rev_dep.take(), forced);
        }
    }
}

/// Gives a child node its parents' dependencies, and its properties the node's.
fn propagate(tree: &mut Tree, child: NodeId, parent_dep: Option<Expr>) {
    let (modules, module) = (tree.modules, tree.module());
    let own = tree
        .node(child)
        .own_deps
        .iter()
        .fold(None, |acc, (e, _)| and(acc, Some(e.clone())));
    let dep = and(parent_dep, rewrite_m(own, modules, module));
    tree.node_mut(child).dep = dep.clone();
    let node = tree.node(child);
    let props: Vec<_> = match node.sym {
        Some(sym) => tree
            .sym(sym)
            .props
            .iter()
            .copied()
            .filter(|&p| tree.prop(p).node == child)
            .collect(),
        None => node.prompt.into_iter().collect(),
    };
    let owner = node.sym;
    for p in props {
        let prop = &mut tree.props[p.0 as usize];
        let cond = and(dep.clone(), rewrite_m(prop.cond.take(), modules, module));
        prop.cond = cond.clone();
        let (kind, target) = (prop.kind, prop.expr.clone());
        let (Some(owner), Some(Expr::Sym(target))) = (owner, target) else {
            continue;
        };
        let term = and(Some(Expr::Sym(owner)), cond);
        let t = tree.sym_mut(target);
        match kind {
            PropKind::Select => t.rev_dep = or(t.rev_dep.take(), term),
            PropKind::Imply => t.implied = or(t.implied.take(), term),
            _ => {}
        }
    }
}

/// A choice without a type takes its first typed value's; untyped values take the
/// choice's.
fn infer_choice_type(tree: &mut Tree, choice: SymId, children: &[NodeId]) {
    let syms: Vec<SymId> = children.iter().filter_map(|&c| tree.node(c).sym).collect();
    if tree.sym(choice).ty == Type::Unknown {
        if let Some(&typed) = syms.iter().find(|&&s| tree.sym(s).ty != Type::Unknown) {
            tree.sym_mut(choice).ty = tree.sym(typed).ty;
        }
    }
    let ty = tree.sym(choice).ty;
    for s in syms {
        if tree.sym(s).ty == Type::Unknown {
            tree.sym_mut(s).ty = ty;
        }
    }
}

/// The symbols of a choice's nodes that are its values: those directly inside it (or
/// inside an `if` in it), not those that kconfig hangs below a value because they
/// depend on it.
fn choice_members(tree: &Tree, list: &[NodeId], out: &mut Vec<(SymId, NodeId)>) {
    let mut i = 0;
    while i < list.len() {
        let node = tree.node(list[i]);
        i += 1;
        match (node.kind, node.sym) {
            (NodeKind::Config | NodeKind::MenuConfig, Some(sym)) => {
                out.push((sym, list[i - 1]));
                i = skip_dependents(tree, list, i, sym);
            }
            (NodeKind::If, _) => choice_members(tree, &node.children, out),
            _ => {}
        }
    }
}

/// Kconfig's automatic submenus: the entries right after `sym` that depend on it.
fn skip_dependents(tree: &Tree, list: &[NodeId], mut i: usize, sym: SymId) -> usize {
    while i < list.len() {
        let node = tree.node(list[i]);
        let dep = match node.prompt {
            Some(p) => tree.prop(p).cond.as_ref(),
            None => node.dep.as_ref(),
        };
        if !dep.is_some_and(|d| d.contains(sym) && d.depends_on(sym, tree)) {
            break;
        }
        i += 1;
        if let Some(follower) = node.sym {
            i = skip_dependents(tree, list, i, follower);
        }
    }
    i
}

fn add_choice_value(tree: &mut Tree, choice: SymId, value: SymId, at: NodeId) {
    if tree.sym(value).choice_of.is_some() {
        return;
    }
    tree.sym_mut(value).choice_of = Some(choice);
    tree.sym_mut(choice).values.push(value);
    if tree.sym(choice).ty == Type::Tristate && tree.sym(value).ty != Type::Tristate {
        let only_y = Expr::Cmp(Cmp::Equal, choice, tree.yes());
        let node = tree.node_mut(at);
        node.dep = and(Some(only_y.clone()), node.dep.take());
        let props: Vec<_> = tree.sym(value).props.clone();
        for p in props {
            let prop = &mut tree.props[p.0 as usize];
            if prop.node == at {
                prop.cond = and(Some(only_y.clone()), prop.cond.take());
            }
        }
    }
}
