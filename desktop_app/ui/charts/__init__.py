"""The chart toolkit over pyqtgraph: one base (`base`: white canvas, people-friendly axes, legends,
hover tooltips, "Save as PNG/SVG" on right-click), a column's histogram or bar chart (`columns`) and
the colour each run keeps everywhere (`colors`). pyqtgraph is imported when a chart is first drawn."""
