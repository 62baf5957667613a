DROP TABLE posts_by_user;
