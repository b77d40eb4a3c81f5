// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractItemModel>
#include <QList>
#include <QObject>
#include <QString>

namespace Clickscope::Testing {

// What a view that only follows a model's signals would show: a copy of every cell (its display
// text and tooltip), updated from the signals alone. If the model's signals miss a change, the
// copy drifts from the model and matchesModel() says so.
class ModelMirror : public QObject
{
public:
    explicit ModelMirror(QAbstractItemModel *model) : m_model(model)
    {
        reload();
        connect(model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first, int last) {
            for (int r = first; r <= last; ++r)
                m_cells.insert(r, readRow(r));
        });
        connect(model, &QAbstractItemModel::rowsRemoved, this,
                [this](const QModelIndex &, int first, int last) { m_cells.remove(first, last - first + 1); });
        connect(model, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                    for (int r = topLeft.row(); r <= bottomRight.row(); ++r) {
                        for (int c = topLeft.column(); c <= bottomRight.column(); ++c)
                            m_cells[r][c] = read(r, c);
                    }
                });
        // A view reads everything again after these, and so does the mirror.
        connect(model, &QAbstractItemModel::modelReset, this, [this] { reload(); });
        connect(model, &QAbstractItemModel::layoutChanged, this, [this] { reload(); });
    }

    bool matchesModel() const
    {
        if (m_cells.size() != m_model->rowCount())
            return false;
        for (int r = 0; r < m_model->rowCount(); ++r) {
            if (m_cells.at(r) != readRow(r))
                return false;
        }
        return true;
    }

private:
    QString read(int r, int c) const
    {
        const QModelIndex index = m_model->index(r, c);
        return index.data(Qt::DisplayRole).toString() + u'|' + index.data(Qt::ToolTipRole).toString();
    }
    QList<QString> readRow(int r) const
    {
        QList<QString> row;
        for (int c = 0; c < m_model->columnCount(); ++c)
            row.append(read(r, c));
        return row;
    }
    void reload()
    {
        m_cells.clear();
        for (int r = 0; r < m_model->rowCount(); ++r)
            m_cells.append(readRow(r));
    }

    QAbstractItemModel *m_model;
    QList<QList<QString>> m_cells;
};

}   // namespace Clickscope::Testing
