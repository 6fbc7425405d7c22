# App image: bot, action server and catalogue (Python 3.11).
FROM python:3.11-slim
WORKDIR /app
COPY requirements/app.lock requirements/app.lock
RUN pip install --no-cache-dir -r requirements/app.lock
COPY bot bot
COPY actions actions
COPY catalog catalog
COPY dialogues/domain.yml dialogues/domain.yml
COPY nlu nlu
ENV PYTHONPATH=/app PYTHONUNBUFFERED=1
USER nobody
