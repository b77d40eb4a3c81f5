// SPDX-License-Identifier: MIT
#include "app/countertile.h"

#include <QLabel>
#include <QVBoxLayout>

namespace Clickscope {

CounterTile::CounterTile(const QString &title, QWidget *parent)
    : QFrame(parent)
    , m_title(new QLabel(title, this))
    , m_value(new QLabel(QStringLiteral("0"), this))
{
    setFrameShape(QFrame::StyledPanel);
    setFrameShadow(QFrame::Raised);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 6);
    layout->setSpacing(0);
    m_title->setObjectName(QStringLiteral("tileTitle"));
    m_value->setObjectName(QStringLiteral("tileValue"));
    m_title->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.9);
    big.setBold(true);
    m_value->setFont(big);
    m_value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A role, not a colour, so the title stays subdued but readable in light and dark palettes.
    m_title->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_title);
    layout->addWidget(m_value);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

QString CounterTile::title() const { return m_title->text(); }

QString CounterTile::valueText() const { return m_value->text(); }

void CounterTile::setValueText(const QString &text)
{
    if (m_value->text() != text)
        m_value->setText(text);
}

void CounterTile::setToolTipText(const QString &text) { setToolTip(text); }

}   // namespace Clickscope
