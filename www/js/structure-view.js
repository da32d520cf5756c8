// A molecule drawn without npm: an SVG projection of its xyz with CPK colours, atoms painted back to
// front, bonds where two atoms are closer than their covalent radii allow, and drag (or the arrow
// keys) to rotate.
const svgNamespace = 'http://www.w3.org/2000/svg';
const colours = { H: '#ffffff', C: '#404040', N: '#3050f8', O: '#ff0d0d', F: '#90e050', Cl: '#1ff01f', Br: '#a62929', I: '#940094',
  S: '#ffff30', P: '#ff8000', Si: '#f0c8a0', B: '#ffb5b5', Na: '#ab5cf2', K: '#8f40d4', Mg: '#8aff00', Ca: '#3dff00', Fe: '#e06633',
  Cu: '#c88033', Zn: '#7d80b0', Au: '#ffd123', Ag: '#c0c0c0', Pt: '#d0d0e0', Ti: '#bfc2c7', Al: '#bfa6a6' };
// Covalent radii in Å (Cordero et al. 2008), for bonds; unknown elements count as 1.5 Å.
const radii = { H: 0.31, C: 0.76, N: 0.71, O: 0.66, F: 0.57, Cl: 1.02, Br: 1.2, I: 1.39, S: 1.05, P: 1.07, Si: 1.11, B: 0.84, Na: 1.66,
  K: 2.03, Mg: 1.41, Ca: 1.76, Fe: 1.32, Cu: 1.32, Zn: 1.22, Au: 1.36, Ag: 1.45, Pt: 1.36, Ti: 1.6, Al: 1.21 };

export function parseXYZ(text) {
  const lines = text.split('\n');
  const count = Number.parseInt(lines[0], 10);
  return lines.slice(2, 2 + (Number.isFinite(count) ? count : lines.length)).map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 4).map(([symbol, x, y, z]) => ({ symbol: symbol.replace(/\d+$/, ''), x: Number(x), y: Number(y), z: Number(z) }))
    .filter((atom) => [atom.x, atom.y, atom.z].every(Number.isFinite));
}

export function bonds(atoms) {
  const found = [];
  for (let i = 0; i < atoms.length; i += 1) {
    for (let j = i + 1; j < atoms.length; j += 1) {
      const distance = Math.hypot(atoms[i].x - atoms[j].x, atoms[i].y - atoms[j].y, atoms[i].z - atoms[j].z);
      if (distance > 0.4 && distance < (radii[atoms[i].symbol] ?? 1.5) + (radii[atoms[j].symbol] ?? 1.5) + 0.45) found.push([i, j]);
    }
  }
  return found;
}

function node(tag, attributes) {
  const made = document.createElementNS(svgNamespace, tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  return made;
}

export function structureView(text, { size = 320, label = 'molecule' } = {}) {
  const atoms = parseXYZ(text);
  const svg = node('svg', { viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img', tabindex: '0', class: 'structure',
    'aria-label': `${label}: ${atoms.length} atoms; drag or use the arrow keys to rotate` });
  if (!atoms.length) return svg;
  const centre = ['x', 'y', 'z'].map((axis) => atoms.reduce((sum, atom) => sum + atom[axis], 0) / atoms.length);
  const centred = atoms.map((atom) => ({ ...atom, x: atom.x - centre[0], y: atom.y - centre[1], z: atom.z - centre[2] }));
  const extent = Math.max(1, ...centred.map((atom) => Math.hypot(atom.x, atom.y, atom.z)));
  const scale = (size / 2 - 24) / extent;
  const links = bonds(centred);
  let yaw = 0.6;
  let pitch = 0.4;
  const draw = () => {
    const [cy, sy, cp, sp] = [Math.cos(yaw), Math.sin(yaw), Math.cos(pitch), Math.sin(pitch)];
    const placed = centred.map((atom) => {
      const x = atom.x * cy + atom.z * sy;
      const z = -atom.x * sy + atom.z * cy;
      return { ...atom, px: size / 2 + x * scale, py: size / 2 - (atom.y * cp - z * sp) * scale, depth: atom.y * sp + z * cp };
    });
    // Back to front: bonds at the depth of their middle, atoms at theirs.
    const items = [
      ...links.map(([i, j]) => ({ depth: (placed[i].depth + placed[j].depth) / 2 - 0.01,
        make: () => node('line', { x1: placed[i].px, y1: placed[i].py, x2: placed[j].px, y2: placed[j].py, class: 'bond' }) })),
      ...placed.map((atom) => ({ depth: atom.depth, make: () => {
        const circle = node('circle', { cx: atom.px, cy: atom.py, r: Math.max(5, (radii[atom.symbol] ?? 1.5) * scale * 0.45) * (1 + atom.depth / extent * 0.12),
          fill: colours[atom.symbol] ?? '#ff1493', class: 'atom' });
        circle.append(node('title', {}));
        circle.firstChild.textContent = atom.symbol;
        return circle;
      } })),
    ].sort((left, right) => left.depth - right.depth);
    svg.replaceChildren(...items.map((item) => item.make()));
  };
  let dragging = null;
  svg.addEventListener('pointerdown', (event) => { dragging = { x: event.clientX, y: event.clientY }; svg.setPointerCapture(event.pointerId); });
  svg.addEventListener('pointermove', (event) => {
    if (!dragging) return;
    yaw += (event.clientX - dragging.x) / 80;
    pitch += (event.clientY - dragging.y) / 80;
    dragging = { x: event.clientX, y: event.clientY };
    draw();
  });
  svg.addEventListener('pointerup', () => { dragging = null; });
  svg.addEventListener('keydown', (event) => {
    const turns = { ArrowLeft: [-0.15, 0], ArrowRight: [0.15, 0], ArrowUp: [0, -0.15], ArrowDown: [0, 0.15] }[event.key];
    if (!turns) return;
    event.preventDefault();
    yaw += turns[0];
    pitch += turns[1];
    draw();
  });
  draw();
  return svg;
}
