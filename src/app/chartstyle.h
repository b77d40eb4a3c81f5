// SPDX-License-Identifier: MIT
#pragma once

#include <QPalette>

class QChart;

namespace Clickscope {

// Colours a chart's background, titles, labels, legend and grid from the widget palette, so
// charts follow the light or dark palette like the rest of the window (Qt Charts' own themes
// would also recolour the series, which keep their colours here). Call again on PaletteChange.
void styleChart(QChart *chart, const QPalette &palette);

// Whether `palette` is a dark one (light text on a dark window).
bool isDarkPalette(const QPalette &palette);

}   // namespace Clickscope
