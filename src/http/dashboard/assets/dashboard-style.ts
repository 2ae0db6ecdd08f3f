/**
 * The dashboard's one stylesheet, served from this process (assets.ts). Light and dark follow the
 * reader's setting, with text contrast of at least 4.5:1 in both; focus is always visible; below
 * 40rem tables stack into one block per row, so a 360 px screen reads them without scrolling sideways.
 */
export const DASHBOARD_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --panel: #f6f8fa; --line: #d1d9e0; --link: #0550ae;
  --focus: #0969da; --button-bg: #f6f8fa; --button-fg: #1f2328; --primary-bg: #0a58ca; --primary-fg: #ffffff;
  --danger: #b42318; --ok-bg: #dafbe1; --ok-fg: #116329; --warn-bg: #fff8c5; --warn-fg: #6b4200;
  --off-bg: #eaeef2; --off-fg: #3b434b; --error-bg: #ffebe9;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --panel: #161b22; --line: #3d444d; --link: #79c0ff;
    --focus: #58a6ff; --button-bg: #21262d; --button-fg: #e6edf3; --primary-bg: #79c0ff; --primary-fg: #0d1117;
    --danger: #ff8b85; --ok-bg: #12361f; --ok-fg: #7ee2a0; --warn-bg: #3a2c05; --warn-fg: #f2cc60;
    --off-bg: #30363d; --off-fg: #d1d9e0; --error-bg: #3c1618;
  }
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
a { color: var(--link); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem 1rem; }
.skip:focus { left: .5rem; z-index: 10; }
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); background: var(--panel); }
header.top .brand { font-weight: 700; font-size: 1.1rem; color: var(--fg); text-decoration: none; }
header.top nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
header.top nav a[aria-current="page"] { font-weight: 700; color: var(--fg); }
header.top .who { margin-left: auto; color: var(--muted); font-size: .9rem; }
header.top form { margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
main.narrow { max-width: 30rem; }
h1 { font-size: 1.6rem; margin: 0 0 .75rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; }
p { margin: .4rem 0; }
.muted { color: var(--muted); }
.error { color: var(--danger); background: var(--error-bg); border-radius: 6px; padding: .5rem .75rem; }
.error:empty, .notice:empty { display: none; }
.notice { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; }
code { font: .9rem ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--panel); border-radius: 4px; padding: .05rem .3rem; overflow-wrap: anywhere; }
label { font-weight: 600; }
label.check { font-weight: 400; display: inline-flex; gap: .4rem; align-items: center; }
input, select, button { font: inherit; color: inherit; }
input[type="text"], input[type="url"], input[type="password"], input[type="search"], select {
  background: var(--bg); color: var(--fg); border: 1px solid var(--muted); border-radius: 6px; padding: .35rem .5rem; max-width: 100%;
}
input[type="checkbox"] { width: 1.1rem; height: 1.1rem; accent-color: var(--primary-bg); }
button { background: var(--button-bg); color: var(--button-fg); border: 1px solid var(--muted); border-radius: 6px; padding: .35rem .8rem; cursor: pointer; }
button.primary { background: var(--primary-bg); color: var(--primary-fg); border-color: var(--primary-bg); font-weight: 600; }
button:disabled { cursor: not-allowed; opacity: .6; }
.field { display: flex; flex-direction: column; gap: .25rem; margin: .75rem 0; }
.field input, .field select { width: 100%; }
.row-form { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; }
.row-form .field { margin: 0; }
.badge { display: inline-block; border-radius: 999px; padding: .05rem .6rem; font-size: .85rem; font-weight: 600; }
.badge.active { background: var(--ok-bg); color: var(--ok-fg); }
.badge.stale { background: var(--warn-bg); color: var(--warn-fg); }
.badge.inactive { background: var(--off-bg); color: var(--off-fg); }
table { width: 100%; border-collapse: collapse; margin: .75rem 0; }
th, td { text-align: left; vertical-align: top; padding: .6rem .5rem; border-bottom: 1px solid var(--line); }
thead th { font-size: .9rem; color: var(--muted); }
td p, th p { margin: .15rem 0; }
tbody th { font-weight: 400; }
/* A title or path with nowhere to break (a class name, a long repository path) wraps inside its cell
   rather than widen the table past a phone's screen. Only these cells: elsewhere words stay whole. */
table.stack tbody th, table.stack td[data-label="Repository"] { overflow-wrap: anywhere; }
tbody th > a { font-weight: 600; }
[data-role="linked"] { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: center; }
.small { font-size: .9rem; }
.sync-controls { display: flex; flex-wrap: wrap; gap: .4rem .75rem; align-items: center; }
.sync-controls label[for] { font-weight: 400; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: 1rem; }
.projects { list-style: none; padding: 0; }
.projects li { padding: .6rem 0; border-bottom: 1px solid var(--line); }
.pager { display: flex; gap: 1.5rem; margin: 1rem 0; }
.link-form { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
.link-form label { font-weight: 400; }
.link-form input { min-width: 12rem; flex: 1; }
section.panel { border: 1px solid var(--line); border-radius: 8px; padding: .25rem 1rem 1rem; margin-top: 2rem; }
dialog { background: var(--bg); color: var(--fg); border: 1px solid var(--line); border-radius: 10px; padding: 1.25rem; width: min(34rem, calc(100vw - 1.5rem)); }
dialog::backdrop { background: rgb(0 0 0 / .5); }
dialog h2 { margin-top: 0; }
section.panel h2 { margin-top: 1rem; }
progress { width: 100%; height: 1.1rem; accent-color: var(--primary-bg); }
@media (max-width: 40rem) {
  main { padding: 1rem .75rem 2rem; }
  header.top .who { margin-left: 0; width: 100%; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack, table.stack tbody, table.stack tr, table.stack th, table.stack td { display: block; width: 100%; }
  table.stack tr { border: 1px solid var(--line); border-radius: 8px; margin-bottom: .75rem; padding: .25rem .5rem; }
  table.stack th, table.stack td { border: 0; padding: .3rem 0; }
  table.stack td[data-label]::before { content: attr(data-label); display: block; font-size: .8rem; font-weight: 600; color: var(--muted); }
}
`;
