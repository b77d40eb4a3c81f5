// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractItemModel>
#include <QPoint>
#include <QSignalSpy>

namespace Clickscope::Testing {

// Every structural and data signal a view could see from a model, counted per call under test.
struct ModelSignalCounts
{
    explicit ModelSignalCounts(QAbstractItemModel *model)
        : inserted(model, &QAbstractItemModel::rowsInserted)
        , removed(model, &QAbstractItemModel::rowsRemoved)
        , changed(model, &QAbstractItemModel::dataChanged)
        , reset(model, &QAbstractItemModel::modelReset)
        , layout(model, &QAbstractItemModel::layoutChanged)
        , moved(model, &QAbstractItemModel::rowsMoved)
        , columnsInserted(model, &QAbstractItemModel::columnsInserted)
        , columnsRemoved(model, &QAbstractItemModel::columnsRemoved)
    {}

    void clear()
    {
        for (QSignalSpy *spy :
             {&inserted, &removed, &changed, &reset, &layout, &moved, &columnsInserted, &columnsRemoved})
            spy->clear();
    }
    int total() const
    {
        return int(inserted.size() + removed.size() + changed.size() + reset.size() + layout.size() + moved.size()
                   + columnsInserted.size() + columnsRemoved.size());
    }
    // First and last row of the first dataChanged.
    QPoint changedRows() const
    {
        return {changed.first().at(0).value<QModelIndex>().row(), changed.first().at(1).value<QModelIndex>().row()};
    }

    QSignalSpy inserted, removed, changed, reset, layout, moved, columnsInserted, columnsRemoved;
};

}   // namespace Clickscope::Testing
