// SPDX-License-Identifier: MIT
#include "app/streamoverview.h"

#include "app/sparklinedelegate.h"
#include "app/streamlist.h"

#include <QHeaderView>

#include <algorithm>

namespace Clickscope {

StreamOverview::StreamOverview(StreamList *streams, QWidget *parent) : QTableView(parent)
{
    setObjectName(QStringLiteral("streamOverview"));
    setModel(streams);
    setItemDelegateForColumn(StreamList::RateColumn, new SparklineDelegate(this));
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setWordWrap(false);
    setAlternatingRowColors(true);
    verticalHeader()->hide();
    // Ten streams fit in a laptop's window: rows as tall as the line needs, no taller.
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 12);
    QHeaderView *header = horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(StreamList::FindingColumn, QHeaderView::Stretch);
    // Its text changes every second while a stream retries: a width that fits the longest.
    header->setSectionResizeMode(StreamList::StateColumn, QHeaderView::Interactive);
    header->resizeSection(StreamList::StateColumn,
                          fontMetrics().horizontalAdvance(QStringLiteral("Retrying in 30 s")) + 16);
    connect(this, &QTableView::activated, this,
            [this](const QModelIndex &index) { emit streamActivated(index.row()); });
}

QList<int> StreamOverview::selectedRows() const
{
    QList<int> rows;
    for (const QModelIndex &index : selectionModel()->selectedRows())
        rows.append(index.row());
    std::sort(rows.begin(), rows.end());
    return rows;
}

}   // namespace Clickscope
