from celery import shared_task

from . import services


@shared_task
def send_welcome_email(user_id: int) -> bool:
    return services.user_send_welcome_email(user_id=user_id)
