// Chart.js from Debian's libjs-chart.js, served at /javascript/chart.js/, loaded when a page first
// draws one. Colours come from the page's CSS so that the dark theme applies to charts too.
let loading = null;

async function chartClass() {
  loading ??= import('/javascript/chart.js/chart.esm.js').then(({ Chart, registerables }) => {
    Chart.register(...registerables);
    return Chart;
  });
  return loading;
}

export const palette = ['#1f5fa8', '#b3261e', '#1d7a46', '#a86b00', '#6b3fa0'];

/**
 * A line chart in `canvas`. `series`: [{ label, points: [{x, y}], dashed?, stepped? }]; x is numeric
 * unless `categories` gives the x labels.
 */
export async function lineChart(canvas, { title, xLabel, yLabel, series, categories, logarithmicNote, legend = true, colour }) {
  const Chart = await chartClass();
  const style = getComputedStyle(document.documentElement);
  const text = style.getPropertyValue('--text').trim() || '#1b2430';
  const grid = style.getPropertyValue('--line').trim() || '#dde3ea';
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: categories,
      datasets: series.map((item, index) => ({
        label: item.label, data: categories ? item.points.map((point) => point.y) : item.points,
        borderColor: colour ?? palette[index % palette.length], backgroundColor: colour ?? palette[index % palette.length],
        borderDash: item.dashed ? [6, 4] : [], pointRadius: item.dashed || item.points.length > 40 ? 0 : 3, borderWidth: 1.5, tension: 0,
      })),
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { title: { display: Boolean(title), text: title, color: text }, legend: { display: legend, labels: { color: text } },
        subtitle: { display: Boolean(logarithmicNote), text: logarithmicNote, color: text } },
      scales: {
        x: { type: categories ? 'category' : 'linear', title: { display: Boolean(xLabel), text: xLabel, color: text }, ticks: { color: text }, grid: { color: grid } },
        y: { title: { display: Boolean(yLabel), text: yLabel, color: text }, ticks: { color: text }, grid: { color: grid } },
      },
    },
  });
}
