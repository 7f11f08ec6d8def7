export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const OUTCOME_COLOURS: Record<string, string> = {
  evicted: '#2e7d32',
  deleted: '#ef6c00',
  'killed-at-deadline': '#c62828',
  'exited-before-deadline': '#1565c0',
  skipped: '#9e9e9e',
  untouched: '#bdbdbd',
};

export const MARKER_COLOURS = { warning: '#f9a825', cordon: '#6d4c41', deadline: '#c62828', terminated: '#212121', refusal: '#6a1b9a', forced: '#ef6c00' };

export const PHASE_COLOURS = ['#8e24aa', '#5e35b1', '#1e88e5', '#00897b', '#7cb342', '#f9a825', '#fb8c00'];

export const TARGET_COLOURS: Record<string, string> = { initial: '#90caf9', healthy: '#2e7d32', unhealthy: '#c62828', draining: '#ff8f00', unused: '#bdbdbd', unavailable: '#757575' };

export const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #212121; max-width: 1300px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.summary { color: #424242; display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; list-style: none; }
.summary .bad { color: #c62828; font-weight: 600; } .empty, .quiet { color: #757575; }
svg { display: block; } svg text { font: 12px system-ui, sans-serif; fill: #212121; }
.group { font-weight: 600; } .grid { stroke: #eeeeee; } .axis { stroke: #9e9e9e; }
.deadline { stroke: #c62828; stroke-width: 2; stroke-dasharray: 6 3; }
details { border-left: 3px solid #e0e0e0; margin: 6px 0; padding-left: 8px; }
details.alike { border-color: #90a4ae; } summary { cursor: pointer; padding: 2px 0; }
summary .node { font-weight: 600; font-family: ui-monospace, monospace; } summary .note { color: #616161; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; margin: 8px 0; position: sticky; top: 0; background: #fff; padding: 4px 0; z-index: 1; }
.legend span, .phases span { display: inline-flex; align-items: center; gap: 6px; }
.swatch { width: 14px; height: 14px; display: inline-block; border-radius: 2px; }
.hollow { background: #fff; border: 1.5px dashed #9e9e9e; box-sizing: border-box; }
.phases { display: flex; gap: 14px; flex-wrap: wrap; margin: 6px 0 0; }
table { border-collapse: collapse; margin: 6px 0; } td, th { padding: 3px 10px; border-bottom: 1px solid #eeeeee; text-align: left; }
th { font-weight: 600; color: #424242; } td.mono { font-family: ui-monospace, monospace; }
`;
