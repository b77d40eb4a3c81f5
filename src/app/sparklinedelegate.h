// SPDX-License-Identifier: MIT
#pragma once

#include <QStyledItemDelegate>

namespace Clickscope {

// Draws a cell's recent values (StreamList::SparklineRole) as a small line, scaled to its own
// peak, with the cell's text at its right: how a stream's rate has gone, at a glance, in a row.
class SparklineDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

}   // namespace Clickscope
