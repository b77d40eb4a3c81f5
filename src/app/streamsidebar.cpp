// SPDX-License-Identifier: MIT
#include "app/streamsidebar.h"

#include "app/streamlist.h"

#include <QListView>
#include <QSignalBlocker>
#include <QToolBar>
#include <QVBoxLayout>

namespace Clickscope {

StreamSidebar::StreamSidebar(StreamList *streams, QWidget *parent)
    : QWidget(parent)
    , m_buttons(new QToolBar(this))
    , m_view(new QListView(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_buttons->setIconSize(QSize(16, 16));
    m_buttons->setToolButtonStyle(Qt::ToolButtonTextOnly);
    layout->addWidget(m_buttons);
    layout->addWidget(m_view, 1);
    m_view->setObjectName(QStringLiteral("streamListView"));
    m_view->setModel(streams);
    m_view->setModelColumn(StreamList::NameColumn);
    m_view->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::DoubleClicked);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setUniformItemSizes(true);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    emit streamChosen(current.row());
            });
    // A click on the line already current (after the overview was shown) shows it again.
    connect(m_view, &QListView::clicked, this, [this](const QModelIndex &index) { emit streamChosen(index.row()); });
}

void StreamSidebar::addButton(QAction *action) { m_buttons->addAction(action); }

QSize StreamSidebar::sizeHint() const { return {m_buttons->sizeHint().width() + 4, QWidget::sizeHint().height()}; }

void StreamSidebar::setCurrentRow(int row)
{
    const QSignalBlocker blocker(m_view->selectionModel());
    const QModelIndex index = m_view->model()->index(row, StreamList::NameColumn);
    if (index.isValid())
        m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
    else
        m_view->selectionModel()->clear();
    m_view->viewport()->update();
}

int StreamSidebar::currentRow() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    return current.isValid() && m_view->selectionModel()->isSelected(current) ? current.row() : -1;
}

void StreamSidebar::editName(int row)
{
    const QModelIndex index = m_view->model()->index(row, StreamList::NameColumn);
    if (index.isValid())
        m_view->edit(index);
}

}   // namespace Clickscope
