package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
)

// series is one line of the chart: one engine, index and build, at one
// re-rank factor, its points swept over nprobe (or efSearch).
type series struct {
	label  string
	engine string
	points []curvePoint
}

// chartSeries groups results into series, in the order first seen, points
// sorted by recall.
func chartSeries(results []*annResult) []series {
	var out []series
	byLabel := map[string]int{}
	for _, r := range results {
		if r.RecallAt10 == nil {
			continue
		}
		label := seriesLabel(r)
		i, ok := byLabel[label]
		if !ok {
			i = len(out)
			byLabel[label] = i
			out = append(out, series{label: label, engine: r.Engine})
		}
		out[i].points = append(out[i].points, curvePoint{Index: r.Index, QueryArgs: r.QueryArgs, Recall: *r.RecallAt10, QPS: r.QPS, BytesPerVector: r.BytesPerVector})
	}
	for i := range out {
		slices.SortStableFunc(out[i].points, func(a, b curvePoint) int {
			switch {
			case a.Recall < b.Recall:
				return -1
			case a.Recall > b.Recall:
				return 1
			}
			return 0
		})
	}
	return out
}

// seriesLabel names the series r belongs to.
func seriesLabel(r *annResult) string {
	switch {
	case isIVF(r.Index):
		l := fmt.Sprintf("%s %s nlist=%d m=%d", r.Engine, r.Index, r.NList, r.M)
		if r.Refine > 0 {
			l += fmt.Sprintf(" refine=%d (%s)", r.Refine, r.RefineStorage)
		}
		return l
	case r.Index == "hnsw":
		return fmt.Sprintf("%s hnsw M=%v efC=%v", r.Engine, r.BuildArgs["M"], r.BuildArgs["ef_construction"])
	}
	return r.Engine + " " + r.Index
}

// writeSVGFile writes the chart of results to path.
func writeSVGFile(path, title string, results []*annResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	err = writeSVG(w, title, results)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Chart geometry, in SVG user units (pixels).
const (
	svgW, svgH                         = 960, 600
	plotL, plotT, plotR, plotB         = 80, 50, 620, 540 // plot area
	legendX, legendY, legendLineHeight = 640, 60, 18
)

// palette: distinct colours; Starling series are solid, FAISS dashed.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"}

// writeSVG writes a hand-made SVG chart of recall@10 (x, linear) against
// QPS (y, log scale): one polyline with markers per series, axes with
// ticks, grid lines and a legend. No dependencies; the output is plain XML.
func writeSVG(w io.Writer, title string, results []*annResult) error {
	ss := chartSeries(results)
	minR, maxQ, minQ := 1.0, 0.0, math.Inf(1)
	for _, s := range ss {
		for _, p := range s.points {
			minR = min(minR, p.Recall)
			if p.QPS > 0 {
				maxQ, minQ = max(maxQ, p.QPS), min(minQ, p.QPS)
			}
		}
	}
	if maxQ == 0 { // nothing to plot: draw empty axes
		minQ, maxQ = 1, 10
	}
	// x: from the tenth below the lowest recall to 1.
	x0 := math.Floor(minR*10) / 10
	if x0 >= 1 {
		x0 = 0.9
	}
	xStep := 0.1
	if 1-x0 <= 0.3 {
		xStep = 0.05
	}
	// y: whole decades around the data.
	y0, y1 := math.Floor(math.Log10(minQ)), math.Ceil(math.Log10(maxQ))
	if y1 <= y0 {
		y1 = y0 + 1
	}
	px := func(r float64) float64 { return plotL + (r-x0)/(1-x0)*(plotR-plotL) }
	py := func(q float64) float64 { return plotB - (math.Log10(q)-y0)/(y1-y0)*(plotB-plotT) }

	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", svgW, svgH, svgW, svgH)
	fmt.Fprintf(&b, "<title>%s</title>\n", xmlEscape(title+": recall@10 vs QPS"))
	fmt.Fprintf(&b, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", svgW, svgH)
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"30\" font-size=\"16\" font-weight=\"bold\">%s</text>\n", plotL, xmlEscape(title+": recall@10 vs QPS (batch, log scale)"))

	// Grid and ticks.
	b.WriteString("<g class=\"x-axis\" stroke=\"#ddd\">\n")
	for i := 0; ; i++ {
		r := x0 + float64(i)*xStep
		if r > 1+1e-9 {
			break
		}
		x := px(r)
		fmt.Fprintf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x, plotT, x, plotB)
		fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" stroke=\"none\" fill=\"black\">%.2f</text>\n", x, plotB+18, r)
	}
	b.WriteString("</g>\n<g class=\"y-axis\" stroke=\"#ddd\">\n")
	for e := y0; e <= y1; e++ {
		for _, m := range []float64{1, 2, 5} {
			q := m * math.Pow(10, e)
			if math.Log10(q) > y1+1e-9 {
				break
			}
			y := py(q)
			stroke := ""
			if m != 1 {
				stroke = " stroke=\"#f0f0f0\""
			}
			fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"%s/>\n", plotL, y, plotR, y, stroke)
			fmt.Fprintf(&b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" stroke=\"none\" fill=\"black\">%s</text>\n", plotL-6, y+4, fmtQPS(q))
		}
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>\n", plotL, plotT, plotR-plotL, plotB-plotT)
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">recall@10</text>\n", (plotL+plotR)/2, plotB+40)
	fmt.Fprintf(&b, "<text x=\"20\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 20 %d)\">queries per second (log)</text>\n", (plotT+plotB)/2, (plotT+plotB)/2)

	// Series and legend.
	for i, s := range ss {
		color := palette[i%len(palette)]
		dash := ""
		if s.engine != "starling" {
			dash = " stroke-dasharray=\"6 3\""
		}
		fmt.Fprintf(&b, "<g class=\"series\" data-label=\"%s\" stroke=\"%s\" fill=\"%s\">\n", xmlEscape(s.label), color, color)
		var pts []string
		for _, p := range s.points {
			if p.QPS > 0 {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p.Recall), py(p.QPS)))
			}
		}
		fmt.Fprintf(&b, "<polyline fill=\"none\" stroke-width=\"1.5\"%s points=\"%s\"/>\n", dash, strings.Join(pts, " "))
		for _, p := range s.points {
			if p.QPS > 0 {
				fmt.Fprintf(&b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>%s %s: recall@10 %.4f, %.0f QPS</title></circle>\n",
					px(p.Recall), py(p.QPS), xmlEscape(s.label), xmlEscape(argsString(p.QueryArgs)), p.Recall, p.QPS)
			}
		}
		ly := legendY + i*legendLineHeight
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke-width=\"2\"%s/>\n", legendX, ly, legendX+24, ly, dash)
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" stroke=\"none\" fill=\"black\">%s</text>\n", legendX+30, ly+4, xmlEscape(s.label))
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// fmtQPS labels a QPS tick: 200, 5k, 10k, 1M.
func fmtQPS(q float64) string {
	switch {
	case q >= 1e6:
		return fmt.Sprintf("%gM", q/1e6)
	case q >= 1e3:
		return fmt.Sprintf("%gk", q/1e3)
	}
	return fmt.Sprintf("%g", q)
}

// argsString renders query arguments as "nprobe=8 refine=0".
func argsString(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, m[k])
	}
	return strings.Join(parts, " ")
}

// xmlEscape escapes text for XML content and attribute values.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;", "'", "&apos;").Replace(s)
}
