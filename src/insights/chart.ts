import type { DayCounts } from "../history/index.js";

/** The chart's size in pixels: wide enough for a quarter's days, as Discord shows an image. */
const WIDTH = 720;
const HEIGHT = 260;
const COLORS = { answered: "#2e8b57", refused: "#999999" };

/**
 * Questions per day, answered against refused, as a PNG: a Vega-Lite spec, drawn to SVG by Vega
 * and rasterised by resvg, all in this process (no browser, no network). The libraries are loaded
 * on first use, not at the bot's start.
 */
export async function questionsChart(perDay: DayCounts[]): Promise<Buffer> {
  const [vega, { compile }, { renderAsync }] = await Promise.all([
    import("vega"),
    import("vega-lite"),
    import("@resvg/resvg-js"),
  ]);
  const values = perDay.flatMap((day) => [
    { day: day.day, kind: "answered", questions: day.answered },
    { day: day.day, kind: "refused", questions: day.refused },
  ]);
  const { spec } = compile({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: WIDTH,
    height: HEIGHT,
    background: "white",
    title: "Questions per day",
    data: { values },
    mark: "bar",
    encoding: {
      x: { field: "day", type: "ordinal", title: null, axis: { labelAngle: -45 } },
      y: { field: "questions", type: "quantitative", title: "questions", axis: { tickMinStep: 1 } },
      color: {
        field: "kind",
        type: "nominal",
        title: null,
        scale: { domain: ["answered", "refused"], range: [COLORS.answered, COLORS.refused] },
      },
    },
  });
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    // Rasterised on libuv's thread pool, not on the event loop's thread.
    const image = await renderAsync(svg, { font: { loadSystemFonts: true } });
    return image.asPng();
  } finally {
    view.finalize();
  }
}
