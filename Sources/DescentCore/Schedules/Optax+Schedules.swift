// Optax+Schedules.swift — the optax convention's learning-rate schedules.
import DescentJSON

let optaxSchedules: [ScheduleEntry] = [
]
