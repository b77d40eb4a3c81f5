// SPDX-License-Identifier: MIT
#include "app/replaybar.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QToolButton>

#include <cmath>

namespace Clickscope {

ReplayBar::ReplayBar(QWidget *parent)
    : QFrame(parent)
    , m_banner(new QLabel(this))
    , m_play(new QToolButton(this))
    , m_speed(new QComboBox(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_time(new QLabel(this))
    , m_progress(new QLabel(this))
{
    setObjectName(QStringLiteral("replayBar"));
    setFrameShape(QFrame::StyledPanel);
    // Amber, in both themes: it must not be mistaken for a live stream.
    setStyleSheet(QStringLiteral("#replayBar { background: #fff3cd; border: 1px solid #e0a800; border-radius: 4px; }"
                                 "#replayBar QLabel { color: #533f03; }"));
    m_banner->setObjectName(QStringLiteral("replayBanner"));
    m_play->setObjectName(QStringLiteral("replayPlay"));
    m_play->setToolTip(tr("Play or pause the recording"));
    m_speed->setObjectName(QStringLiteral("replaySpeed"));
    m_speed->setToolTip(tr("How fast the recording plays"));
    for (const double speed : kSpeeds)
        m_speed->addItem(speed == 0 ? tr("As fast as possible") : tr("%1×").arg(speed), speed);
    m_slider->setObjectName(QStringLiteral("replayPosition"));
    m_slider->setRange(0, kSliderSteps);
    m_slider->setToolTip(tr("Where the recording is; going back counts it again from the start"));
    m_time->setObjectName(QStringLiteral("replayTime"));
    m_progress->setObjectName(QStringLiteral("replayProgress"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->addWidget(m_banner);
    layout->addWidget(m_play);
    layout->addWidget(m_speed);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_time);
    layout->addWidget(m_progress);

    connect(m_play, &QToolButton::clicked, this, [this] { emit pauseRequested(!m_paused); });
    connect(m_speed, &QComboBox::activated, this,
            [this](int index) { emit speedChosen(m_speed->itemData(index).toDouble()); });
    const auto seekToSlider = [this] {
        emit seekRequested(qint64(double(m_slider->sliderPosition()) / kSliderSteps * double(m_durationNs)));
    };
    connect(m_slider, &QSlider::sliderReleased, this, seekToSlider);
    // A click in the groove or a key moves it without a drag: that is a move too.
    connect(m_slider, &QSlider::actionTriggered, this, [this, seekToSlider](int action) {
        if (action != QAbstractSlider::SliderMove && !m_slider->isSliderDown())
            seekToSlider();
    });
    showPosition({});
}

void ReplayBar::setRecording(const QString &path, bool imported, const QStringList &importNotes)
{
    const QString name = QFileInfo(path).fileName().toHtmlEscaped();
    m_banner->setText(imported ? tr("<b>Recording</b> %1 (from a HAR) · not live").arg(name)
                               : tr("<b>Recording</b> %1 · not live").arg(name));
    QString tip = tr("Replaying %1: what is shown was recorded earlier").arg(path);
    for (const QString &note : importNotes)
        tip += u'\n' + note;
    m_banner->setToolTip(tip);
}

QString ReplayBar::timeText(qint64 ns)
{
    const qint64 seconds = std::max<qint64>(0, ns / 1'000'000'000);
    const qint64 h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
    return h > 0 ? QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'))
                 : QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
}

void ReplayBar::showPosition(const ReplayPosition &position)
{
    m_durationNs = position.durationNs;
    m_paused = position.paused;
    m_play->setIcon(
        style()->standardIcon(position.paused || position.ended ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    m_play->setEnabled(!position.ended);
    if (!m_speed->view()->isVisible()) {
        int index = m_speed->findData(position.speed);
        if (index < 0) {   // a speed given on the command line: offered from now on too
            m_speed->addItem(tr("%1×").arg(position.speed), position.speed);
            index = m_speed->count() - 1;
        }
        m_speed->setCurrentIndex(index);
    }
    if (!m_slider->isSliderDown()) {
        const double fraction = position.durationNs > 0 ? double(position.positionNs) / double(position.durationNs) : 0;
        m_slider->setValue(int(std::lround(std::clamp(fraction, 0.0, 1.0) * kSliderSteps)));
    }
    m_time->setText(QStringLiteral("%1 / %2").arg(timeText(position.positionNs), timeText(position.durationNs)));
    if (position.targetNs >= 0) {
        const double done = position.targetNs > 0 ? double(position.positionNs) / double(position.targetNs) : 1;
        m_progress->setText(
            tr("catching up to %1: %2 %").arg(timeText(position.targetNs)).arg(int(std::clamp(done, 0.0, 1.0) * 100)));
    } else if (position.ended) {
        m_progress->setText(tr("ended"));
    } else if (position.paused) {
        m_progress->setText(tr("paused"));
    } else {
        m_progress->setText({});
    }
}

}   // namespace Clickscope
