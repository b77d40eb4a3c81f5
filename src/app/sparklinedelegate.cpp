// SPDX-License-Identifier: MIT
#include "app/sparklinedelegate.h"

#include "app/streamlist.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace Clickscope {

namespace {

constexpr int kLineWidth = 120;   // pixels the line takes before the text
constexpr int kMargin = 3;

}   // namespace

void SparklineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem cell = option;
    initStyleOption(&cell, index);
    const QString text = cell.text;
    cell.text.clear();
    const QStyle *style = cell.widget ? cell.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &cell, painter, cell.widget);

    const QRect area = option.rect.adjusted(kMargin, kMargin, -kMargin, -kMargin);
    const QRect lineArea(area.left(), area.top(), std::min(kLineWidth, area.width() / 2), area.height());
    const QRect textArea = area.adjusted(lineArea.width() + kMargin, 0, 0, 0);
    const bool selected = option.state & QStyle::State_Selected;
    const QPalette::ColorRole textRole = selected ? QPalette::HighlightedText : QPalette::Text;

    const QList<double> values = index.data(StreamList::SparklineRole).value<QList<double>>();
    if (values.size() >= 2 && lineArea.width() > 4) {
        const double peak = std::max(1.0, *std::max_element(values.begin(), values.end()));
        QPainterPath path;
        for (qsizetype i = 0; i < values.size(); ++i) {
            const double x = lineArea.left() + double(i) * lineArea.width() / double(values.size() - 1);
            const double y = lineArea.bottom() - values.at(i) / peak * lineArea.height();
            if (i == 0)
                path.moveTo(x, y);
            else
                path.lineTo(x, y);
        }
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(
            QPen(selected ? option.palette.color(textRole) : option.palette.color(QPalette::Highlight), 1.5));
        painter->drawPath(path);
        painter->restore();
    }
    painter->save();
    painter->setPen(option.palette.color(textRole));
    painter->drawText(textArea, Qt::AlignRight | Qt::AlignVCenter,
                      option.fontMetrics.elidedText(text, Qt::ElideRight, textArea.width()));
    painter->restore();
}

QSize SparklineDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setWidth(std::max(size.width(), kLineWidth + option.fontMetrics.horizontalAdvance(QStringLiteral("000,000/s"))
                                             + 4 * kMargin));
    size.setHeight(std::max(size.height(), option.fontMetrics.height() + 10));
    return size;
}

}   // namespace Clickscope
