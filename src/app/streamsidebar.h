// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QAction;
class QListView;
class QToolBar;

namespace Clickscope {

class StreamList;

// The window's stream list: one line per stream (its state's colour and its name, renamed in
// place with F2 or a double click) under a row of the window's stream actions.
class StreamSidebar : public QWidget
{
    Q_OBJECT
public:
    explicit StreamSidebar(StreamList *streams, QWidget *parent = nullptr);

    // Puts `action` in the row of buttons above the list.
    void addButton(QAction *action);
    // Marks `row` as the one shown, without emitting streamChosen; -1 for none (the overview).
    void setCurrentRow(int row);
    int currentRow() const;
    // Starts renaming the stream at `row`.
    void editName(int row);
    QListView *listView() const { return m_view; }
    // As wide as its buttons: the names are elided, the dashboard beside it needs the room.
    QSize sizeHint() const override;

signals:
    // The user picked the stream at `row`.
    void streamChosen(int row);

private:
    QToolBar *m_buttons;
    QListView *m_view;
};

}   // namespace Clickscope
