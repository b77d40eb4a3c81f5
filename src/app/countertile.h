// SPDX-License-Identifier: MIT
#pragma once

#include <QFrame>

class QLabel;

namespace Clickscope {

// One counter of the dashboard: a small title over a large, readable value.
class CounterTile : public QFrame
{
    Q_OBJECT
public:
    explicit CounterTile(const QString &title, QWidget *parent = nullptr);

    QString title() const;
    QString valueText() const;
    // Sets the value's text; repaints only when it changed.
    void setValueText(const QString &text);
    void setToolTipText(const QString &text);

private:
    QLabel *m_title;
    QLabel *m_value;
};

}   // namespace Clickscope
