package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// A small, dependency-free SVG chart writer for the trade-off charts of
// `starling-bench chart` (chartcmd.go): grouped bars on a log or linear
// value axis, and lines on log axes. svg.go's recall/QPS chart predates
// it and keeps its own layout.

// barChart is groups of bars: one bar per series in each group; a value
// that is NaN or, on a log axis, not positive, draws no bar (missing).
type barChart struct {
	title, unit string
	logY        bool
	// micros: the values are microseconds, labelled as durations.
	micros bool
	groups []string
	series []barSeries
}

type barSeries struct {
	label  string
	values []float64 // one per group
}

// lineChart is lines over a shared x axis, both axes log scale.
type lineChart struct {
	title, xLabel, yLabel string
	lines                 []chartLine
}

type chartLine struct {
	label  string
	points [][2]float64 // x, y; sorted by x
}

const (
	chartW, chartH             = 960, 560
	chartL, chartT, chartR     = 150, 50, 700 // plot area left, top, right (room left for turned group labels)
	chartB                     = 440          // plot area bottom (room below for group labels)
	chartLegendX, chartLegendY = 715, 60
)

// valueAxis maps values onto the plot's height: log decades around the
// data, or linear from 0 to a round maximum.
type valueAxis struct {
	log    bool
	lo, hi float64 // log: decades (exponents); linear: values
	step   float64 // linear: between ticks
}

func newValueAxis(log bool, values []float64) valueAxis {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) || (log && v <= 0) {
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if math.IsInf(lo, 1) { // nothing to plot: empty axes
		lo, hi = 1, 10
	}
	if log {
		a := valueAxis{log: true, lo: math.Floor(math.Log10(lo)), hi: math.Ceil(math.Log10(hi))}
		if a.hi <= a.lo {
			a.hi = a.lo + 1
		}
		return a
	}
	step := niceStep(hi / 5)
	return valueAxis{hi: math.Max(step, math.Ceil(hi/step)*step), step: step}
}

// niceStep rounds up to 1, 2 or 5 times a power of ten.
func niceStep(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// y is the pixel row of v.
func (a valueAxis) y(v float64) float64 {
	f := v / a.hi
	if a.log {
		f = (math.Log10(v) - a.lo) / (a.hi - a.lo)
	}
	return chartB - f*(chartB-chartT)
}

// tick is a grid line; only labelled ones carry a value label.
type tick struct {
	v        float64
	labelled bool
}

// ticks are the grid lines: 1, 2, 5 per decade (2 and 5 unlabelled over
// more than four decades, so labels do not collide), or every step.
func (a valueAxis) ticks() []tick {
	var out []tick
	if a.log {
		sparse := a.hi-a.lo > 4
		for e := a.lo; e <= a.hi; e++ {
			for _, m := range []float64{1, 2, 5} {
				if v := m * math.Pow(10, e); math.Log10(v) <= a.hi+1e-9 {
					out = append(out, tick{v, m == 1 || !sparse})
				}
			}
		}
		return out
	}
	for v := 0.0; v <= a.hi+a.step/2; v += a.step {
		out = append(out, tick{v, true})
	}
	return out
}

// fmtMicros labels microseconds as a duration: 12 µs, 3.4 ms, 2.5 s.
func fmtMicros(v float64) string {
	switch {
	case v >= 1e6:
		return trimFloat(v/1e6) + " s"
	case v >= 1e3:
		return trimFloat(v/1e3) + " ms"
	}
	return trimFloat(v) + " µs"
}

// fmtValue labels a tick or a value: 0.5, 20, 5k, 1.2M.
func fmtValue(v float64) string {
	switch {
	case v >= 1e9:
		return trimFloat(v/1e9) + "G"
	case v >= 1e6:
		return trimFloat(v/1e6) + "M"
	case v >= 1e3:
		return trimFloat(v/1e3) + "k"
	}
	return trimFloat(v)
}

func trimFloat(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

// svgStart writes the document head, the title and the plot frame.
func svgStart(b *strings.Builder, title string) {
	fmt.Fprintf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", chartW, chartH, chartW, chartH)
	fmt.Fprintf(b, "<title>%s</title>\n<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", xmlEscape(title), chartW, chartH)
	fmt.Fprintf(b, "<text x=\"%d\" y=\"30\" font-size=\"16\" font-weight=\"bold\">%s</text>\n", chartL, xmlEscape(title))
}

// svgValueAxis writes the horizontal grid, its labels (by format) and
// the axis title.
func svgValueAxis(b *strings.Builder, a valueAxis, label string, format func(float64) string) {
	b.WriteString("<g class=\"y-axis\" stroke=\"#ddd\">\n")
	for _, t := range a.ticks() {
		y := a.y(t.v)
		stroke := ""
		if !t.labelled {
			stroke = " stroke=\"#f0f0f0\""
		}
		fmt.Fprintf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"%s/>\n", chartL, y, chartR, y, stroke)
		if t.labelled {
			fmt.Fprintf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" stroke=\"none\" fill=\"black\">%s</text>\n", chartL-6, y+4, format(t.v))
		}
	}
	b.WriteString("</g>\n")
	if a.log {
		label += " (log)"
	}
	mid := (chartT + chartB) / 2
	fmt.Fprintf(b, "<text x=\"20\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 20 %d)\">%s</text>\n", mid, mid, xmlEscape(label))
	fmt.Fprintf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>\n", chartL, chartT, chartR-chartL, chartB-chartT)
}

// svgLegend writes one legend row per label.
func svgLegend(b *strings.Builder, labels []string) {
	for i, l := range labels {
		y := chartLegendY + i*18
		fmt.Fprintf(b, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"%s\"/>\n", chartLegendX, y-8, palette[i%len(palette)])
		fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\">%s</text>\n", chartLegendX+20, y+1, xmlEscape(l))
	}
}

// writeSVG draws the bars, each with its value as a tooltip and a label
// above it.
func (c barChart) writeSVG(w io.Writer) error {
	var all []float64
	for _, s := range c.series {
		all = append(all, s.values...)
	}
	a := newValueAxis(c.logY, all)
	format := fmtValue
	if c.micros {
		format = fmtMicros
	}
	var b strings.Builder
	svgStart(&b, c.title)
	svgValueAxis(&b, a, c.unit, format)
	groupW := float64(chartR-chartL) / float64(max(1, len(c.groups)))
	barW := groupW * 0.8 / float64(max(1, len(c.series)))
	for g, name := range c.groups {
		x0 := float64(chartL) + float64(g)*groupW + groupW*0.1
		for i, s := range c.series {
			v := s.values[g]
			if math.IsNaN(v) || (c.logY && v <= 0) {
				continue
			}
			top := a.y(v)
			if a.log && v < math.Pow(10, a.lo) {
				top = chartB
			}
			x := x0 + float64(i)*barW
			fmt.Fprintf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s, %s: %s</title></rect>\n",
				x, top, barW-1, chartB-top, palette[i%len(palette)], xmlEscape(name), xmlEscape(s.label), format(v))
			fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"middle\">%s</text>\n", x+barW/2, top-3, format(v))
		}
		// Group label, turned so long names fit.
		cx := x0 + groupW*0.4
		fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" transform=\"rotate(-35 %.1f %d)\">%s</text>\n", cx, chartB+14, cx, chartB+14, xmlEscape(name))
	}
	labels := make([]string, len(c.series))
	for i, s := range c.series {
		labels[i] = s.label
	}
	svgLegend(&b, labels)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSVG draws each line with its points marked.
func (c lineChart) writeSVG(w io.Writer) error {
	var xs, ys []float64
	for _, l := range c.lines {
		for _, p := range l.points {
			xs, ys = append(xs, p[0]), append(ys, p[1])
		}
	}
	ax, ay := newValueAxis(true, xs), newValueAxis(true, ys)
	px := func(x float64) float64 {
		return chartL + (math.Log10(x)-ax.lo)/(ax.hi-ax.lo)*(chartR-chartL)
	}
	var b strings.Builder
	svgStart(&b, c.title)
	svgValueAxis(&b, ay, c.yLabel, fmtValue)
	b.WriteString("<g class=\"x-axis\" stroke=\"#ddd\">\n")
	for _, t := range ax.ticks() {
		x := px(t.v)
		if !t.labelled {
			fmt.Fprintf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#f0f0f0\"/>\n", x, chartT, x, chartB)
			continue
		}
		fmt.Fprintf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x, chartT, x, chartB)
		fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" stroke=\"none\" fill=\"black\">%s</text>\n", x, chartB+18, fmtValue(t.v))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", (chartL+chartR)/2, chartB+42, xmlEscape(c.xLabel+" (log)"))
	labels := make([]string, len(c.lines))
	for i, l := range c.lines {
		labels[i] = l.label
		color := palette[i%len(palette)]
		var pts []string
		for _, p := range l.points {
			if p[0] > 0 && p[1] > 0 {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p[0]), ay.y(p[1])))
			}
		}
		fmt.Fprintf(&b, "<g class=\"series\" stroke=\"%s\" fill=\"%s\">\n<polyline fill=\"none\" stroke-width=\"1.5\" points=\"%s\"/>\n", color, color, strings.Join(pts, " "))
		for _, p := range l.points {
			if p[0] > 0 && p[1] > 0 {
				fmt.Fprintf(&b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>%s: %s, %s</title></circle>\n",
					px(p[0]), ay.y(p[1]), xmlEscape(l.label), fmtValue(p[0]), fmtValue(p[1]))
			}
		}
		b.WriteString("</g>\n")
	}
	svgLegend(&b, labels)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
