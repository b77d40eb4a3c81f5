// SPDX-License-Identifier: MIT
#pragma once

#include <QLabel>

namespace Clickscope {

// A one-line label that never widens or heightens its layout: text that does not fit ends in
// "…", and the whole text is in the tooltip. For messages that come and go above content that
// must not move.
class ElidedLabel : public QLabel
{
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    // Sets the text and, when it does not fit, the tooltip.
    void setMessage(const QString &text);
    // What is painted now: the text, or its start and "…".
    QString shownText() const;

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void updateToolTip();
};

}   // namespace Clickscope
