// SPDX-License-Identifier: MIT
#pragma once

#include <QTableView>

namespace Clickscope {

class StreamList;

// Every stream on one screen: a row each with its state, clicks, clicks/s line, gaps,
// undecodable events and worst finding, the troubled ones in red. Activating a row (double click
// or Enter) asks for that stream's dashboard; two rows selected are the two to compare.
class StreamOverview : public QTableView
{
    Q_OBJECT
public:
    explicit StreamOverview(StreamList *streams, QWidget *parent = nullptr);

    // The rows selected, top first.
    QList<int> selectedRows() const;

signals:
    void streamActivated(int row);
};

}   // namespace Clickscope
